package validate

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
)

// fieldHomes says, for the fields that documentation snippets most often
// put one level off, where each lives below the VMI spec.
var fieldHomes = func() map[string][]string {
	homes := map[string][]string{
		"livenessProbe":  nil,
		"readinessProbe": nil,
		"domain":         nil,
		"networks":       nil,
		"volumes":        nil,
		"devices":        {"domain"},
		"interfaces":     {"domain", "devices"},
		"disks":          {"domain", "devices"},
	}
	w := kubevirtkinds.WatchdogPath
	homes[w[len(w)-1]] = w[:len(w)-1]
	return homes
}()

// wrongLevelHint returns "; livenessProbe belongs in spec.template.spec"
// for an unknown field at path that is a known field elsewhere in the
// object whose VMI spec is at specPath, or "" when it is not one of
// fieldHomes or is already there.
func wrongLevelHint(path string, specPath *field.Path) string {
	parent, name := "", path
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		parent, name = path[:i], path[i+1:]
	}
	rest, ok := fieldHomes[name]
	if !ok || specPath == nil {
		return ""
	}
	home := specPath
	if len(rest) > 0 {
		home = specPath.Child(rest[0], rest[1:]...)
	}
	if home.String() == parent {
		return ""
	}
	return "; " + name + " belongs in " + home.String()
}
