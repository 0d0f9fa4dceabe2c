package apply

import (
	"encoding/json"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// fieldSet is a managedFields fieldsV1 tree: "f:name" keys for fields, "."
// for the map itself, and "k:", "i:" and "v:" keys for list items. Below
// the root, an empty set means the whole value is owned.
type fieldSet map[string]fieldSet

func parseFieldSet(raw []byte) fieldSet {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return toFieldSet(m)
}

func toFieldSet(m map[string]any) fieldSet {
	s := fieldSet{}
	for k, v := range m {
		child, _ := v.(map[string]any)
		s[k] = toFieldSet(child)
	}
	return s
}

// at returns the set below a path of field names, or nil when the set has
// nothing there. A wholly owned ancestor gives an empty (leaf) set.
func (s fieldSet) at(path []string) fieldSet {
	cur := s
	for _, seg := range path {
		if cur == nil {
			return nil
		}
		if len(cur) == 0 {
			return cur
		}
		cur = cur["f:"+seg]
	}
	return cur
}

// owns reports whether the set owns the value at path, itself or through a
// wholly owned ancestor.
func (s fieldSet) owns(path []string) bool {
	if len(s) == 0 {
		return false
	}
	cur := s
	for _, seg := range path {
		next, ok := cur["f:"+seg]
		if !ok {
			return false
		}
		if len(next) == 0 {
			return true
		}
		cur = next
	}
	return true
}

// union merges sets; a leaf on either side stays a leaf.
func union(a, b fieldSet) fieldSet {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	out := fieldSet{}
	for k, v := range a {
		out[k] = v
	}
	for k, bv := range b {
		av, ok := out[k]
		switch {
		case !ok:
			out[k] = bv
		case len(av) == 0 || len(bv) == 0:
			out[k] = fieldSet{}
		default:
			out[k] = union(av, bv)
		}
	}
	return out
}

// ownership is who owns what in one object, as server-side apply records
// it in metadata.managedFields.
type ownership struct {
	// mine is the set of the manager's Apply entry.
	mine fieldSet
	// others are every other entry's sets, by manager name.
	others map[string]fieldSet
}

func ownershipOf(u *unstructured.Unstructured, manager string) ownership {
	o := ownership{others: map[string]fieldSet{}}
	for _, e := range u.GetManagedFields() {
		if e.Subresource != "" || e.FieldsV1 == nil {
			continue
		}
		set := parseFieldSet(e.FieldsV1.GetRawBytes())
		if e.Manager == manager && e.Operation == metav1.ManagedFieldsOperationApply {
			o.mine = set
			continue
		}
		o.others[e.Manager] = union(o.others[e.Manager], set)
	}
	return o
}

// othersAt is the union of the other managers' sets below path.
func (o ownership) othersAt(path []string) fieldSet {
	var u fieldSet
	for _, s := range o.others {
		if sub := s.at(path); sub != nil {
			u = union(u, sub)
		}
	}
	return u
}

// ownersOf names the other managers that own the value at path.
func (o ownership) ownersOf(path []string) []string {
	var names []string
	for name, s := range o.others {
		if s.owns(path) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// ownedPart returns the part of v that s covers: what this manager set,
// without what others set next to it.
func ownedPart(v any, s fieldSet) (any, bool) {
	if s == nil {
		return nil, false
	}
	m, isMap := v.(map[string]any)
	if len(s) == 0 || !isMap {
		return deepCopy(v), true
	}
	out := map[string]any{}
	for key, sub := range s {
		name, ok := strings.CutPrefix(key, "f:")
		if !ok {
			continue
		}
		cv, present := m[name]
		if !present {
			continue
		}
		if p, ok := ownedPart(cv, sub); ok {
			out[name] = p
		}
	}
	if _, dot := s["."]; len(out) == 0 && !dot {
		return nil, false
	}
	return out, true
}

// healthPaths lists the health-check fields present in a VMI spec, or
// owned in a field set below the VMI spec: every *Probe field and the
// watchdog.
func healthPaths(spec map[string]any, set fieldSet) [][]string {
	seen := map[string]bool{}
	var out [][]string
	add := func(p []string) {
		if k := strings.Join(p, "."); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	for k := range spec {
		if strings.HasSuffix(k, "Probe") {
			add([]string{k})
		}
	}
	for k := range set {
		if name, ok := strings.CutPrefix(k, "f:"); ok && strings.HasSuffix(name, "Probe") {
			add([]string{name})
		}
	}
	if _, ok := yamlpos.GetValue(spec, WatchdogPath); ok || set.at(WatchdogPath) != nil {
		add(WatchdogPath)
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(strings.Join(a, "."), strings.Join(b, ".")) })
	return out
}

// HealthChecks returns the health-check fields of a VMI spec (every *Probe
// field and domain.devices.watchdog) as a spec fragment.
func HealthChecks(spec map[string]any) map[string]any {
	out := map[string]any{}
	for _, p := range healthPaths(spec, nil) {
		if v, ok := yamlpos.GetValue(spec, p); ok {
			yamlpos.SetValue(out, p, deepCopy(v))
		}
	}
	return out
}
