package apply

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	v1 "kubevirt.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
	"github.com/vmhealth/vmhealth/validate"
)

// Field names of the health checks in a VMI spec.
const (
	ReadinessProbe = "readinessProbe"
	LivenessProbe  = "livenessProbe"
)

// WatchdogPath is where the watchdog sits in a VMI spec.
var WatchdogPath = kubevirtkinds.WatchdogPath

// Stanza is the health checks to apply: fields of a VirtualMachineInstance
// spec as JSON values (maps, slices, strings, int64, float64, bool), so
// that what the user wrote reaches the API server as written.
type Stanza struct {
	// Probes maps a VMI spec field to its value: readinessProbe,
	// livenessProbe and any other field whose name ends in "Probe". KubeVirt
	// has no startupProbe; lint reports it, and the API server rejects it.
	Probes map[string]any
	// Watchdog is domain.devices.watchdog, nil when the stanza has none.
	Watchdog map[string]any
}

// Empty reports whether the stanza sets nothing.
func (s *Stanza) Empty() bool { return s == nil || (len(s.Probes) == 0 && s.Watchdog == nil) }

// Fields lists what the stanza sets, as paths relative to the VMI spec
// (readinessProbe, domain.devices.watchdog), sorted.
func (s *Stanza) Fields() []string {
	if s == nil {
		return nil
	}
	out := slices.Sorted(maps.Keys(s.Probes))
	if s.Watchdog != nil {
		out = append(out, strings.Join(WatchdogPath, "."))
	}
	return out
}

// Spec returns the stanza as a VMI spec fragment:
// {readinessProbe: …, domain: {devices: {watchdog: …}}}. The values are
// copies.
func (s *Stanza) Spec() map[string]any {
	spec := map[string]any{}
	if s == nil {
		return spec
	}
	for k, v := range s.Probes {
		spec[k] = deepCopy(v)
	}
	if s.Watchdog != nil {
		yamlpos.SetValue(spec, WatchdogPath, deepCopy(s.Watchdog))
	}
	return spec
}

// StanzaFromSpec takes the health checks out of a VMI spec given as JSON
// values. Fields that are null or absent are not part of the stanza.
func StanzaFromSpec(spec map[string]any) (*Stanza, error) {
	s := &Stanza{Probes: map[string]any{}}
	for k, v := range spec {
		if !strings.HasSuffix(k, "Probe") || v == nil {
			continue
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, fmt.Errorf("%s is a %s, not a mapping", k, typeName(v))
		}
		s.Probes[k] = dropNulls(v)
	}
	if w, ok := yamlpos.GetValue(spec, WatchdogPath); ok && w != nil {
		m, ok := w.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is a %s, not a mapping", strings.Join(WatchdogPath, "."), typeName(w))
		}
		s.Watchdog = dropNulls(m).(map[string]any)
	}
	return s, nil
}

// StanzaFromTyped converts typed health checks, such as those vmhealth gen
// builds. Nil arguments are left out.
func StanzaFromTyped(readiness, liveness *v1.Probe, watchdog *v1.Watchdog) (*Stanza, error) {
	spec := map[string]any{}
	add := func(path []string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := utiljson.Unmarshal(b, &m); err != nil {
			return err
		}
		yamlpos.SetValue(spec, path, m)
		return nil
	}
	var errs []error
	if readiness != nil {
		errs = append(errs, add([]string{ReadinessProbe}, readiness))
	}
	if liveness != nil {
		errs = append(errs, add([]string{LivenessProbe}, liveness))
	}
	if watchdog != nil {
		errs = append(errs, add(WatchdogPath, watchdog))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("converting the health checks: %w", err)
	}
	return StanzaFromSpec(spec)
}

// Source is one KubeVirt object (or fragment) read from a file, with its
// health checks.
type Source struct {
	// Ref names the object as written; for a fragment Kind is
	// validate.FragmentKind and the name may be empty.
	Ref validate.ObjectRef
	// Kind is the object's kind; zero for a fragment.
	Kind Kind
	// Where says where it was read: file:line.
	Where  string
	Stanza *Stanza
}

// ReadSources reads KubeVirt objects from YAML or JSON with vmhealth's lint
// loader (so Lists, OpenShift Templates and multi-document files work as in
// lint) and takes the health checks out of each. Values are read as kubectl
// reads them (YAML 1.1: yes is true). A file with no KubeVirt object, or
// with a YAML syntax error, is an error.
func ReadSources(linter *validate.Linter, name string, data []byte) ([]Source, error) {
	objs, findings, _ := linter.Load(name, data)
	for _, f := range findings {
		if f.RuleID == validate.YAMLSyntaxRuleID || f.RuleID == validate.DuplicateKeyRuleID {
			return nil, fmt.Errorf("%s: %s", f.Location(), f.Message)
		}
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("%s: no KubeVirt object or health-check stanza found (expected a VirtualMachine, a pool, a ReplicaSet, or a stanza such as vmhealth gen writes)", name)
	}
	var out []Source
	for _, o := range objs {
		line, _ := o.Position("")
		src := Source{Ref: o.Ref, Where: fmt.Sprintf("%s:%d", name, line)}
		if o.Ref.Kind != validate.FragmentKind {
			k, ok := KindOf(groupKind(o.Ref.APIVersion, o.Ref.Kind))
			if !ok {
				return nil, fmt.Errorf("%s: %s is not a kind vmhealth knows", src.Where, o.Ref.Kind)
			}
			src.Kind = k
		}
		obj, err := nodeToJSON(o.Node)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.Where, err)
		}
		var spec map[string]any
		if o.SpecPath != nil {
			v, _ := yamlpos.GetValue(obj, strings.Split(o.SpecPath.String(), "."))
			spec, _ = v.(map[string]any)
		}
		if src.Stanza, err = StanzaFromSpec(spec); err != nil {
			return nil, fmt.Errorf("%s: %w", src.Where, err)
		}
		out = append(out, src)
	}
	return out, nil
}

// ReadStanza reads exactly one stanza: a fragment such as vmhealth gen
// writes, or a whole object whose health checks are taken.
func ReadStanza(linter *validate.Linter, name string, data []byte) (*Stanza, error) {
	srcs, err := ReadSources(linter, name, data)
	if err != nil {
		return nil, err
	}
	if len(srcs) > 1 {
		return nil, fmt.Errorf("%s holds %d objects; give one stanza (use -f to apply each object's health checks to the object of the same name)", name, len(srcs))
	}
	if srcs[0].Stanza.Empty() {
		return nil, fmt.Errorf("%s: no readinessProbe, livenessProbe or watchdog in it", srcs[0].Where)
	}
	return srcs[0].Stanza, nil
}

// nodeToJSON turns a YAML node into JSON values the way kubectl reads YAML
// (sigs.k8s.io/yaml), so that yes, 0700 and 1e3 mean what they mean to
// kubectl, with integers as int64 as unstructured objects want them.
func nodeToJSON(n *yaml.Node) (map[string]any, error) {
	text, err := yaml.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("re-encoding YAML: %w", err)
	}
	j, err := sigsyaml.YAMLToJSONStrict(text)
	if err != nil {
		return nil, fmt.Errorf("converting YAML to JSON: %w", err)
	}
	var m map[string]any
	if err := utiljson.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}
	return m, nil
}

func typeName(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}
