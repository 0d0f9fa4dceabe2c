package validate

import (
	"reflect"
	"slices"

	"github.com/vmhealth/vmhealth/internal/yamldecode"
)

// FieldNames returns the JSON names of the fields that the object kind
// apiVersion/kind has at path (relative to the object, as in a Finding's
// Field: spec.template.spec.readinessProbe), sorted; nil when the kind is
// not a KubeVirt kind or path is not a typed struct of it. Editors'
// completion reads it, so it offers exactly the fields that unknown-field
// accepts: both come from the decoder's view of the types.
func FieldNames(apiVersion, kind, path string) []string {
	info, known, _ := kindFor(apiVersion, kind)
	if !known {
		return nil
	}
	names, ok := yamldecode.FieldNames(reflect.TypeOf(info.newTyped()).Elem(), path)
	if !ok {
		return nil
	}
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
