package apply

import (
	"slices"
	"strings"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// appliedSpec is the VMI spec fragment vmhealth sends with server-side
// apply: the stanza, plus the health checks vmhealth applied earlier that
// the stanza does not mention, with the values they have now. Without the
// latter, server-side apply would delete a liveness probe vmhealth applied
// last week when the user now applies only a readiness probe.
func appliedSpec(liveSpec map[string]any, s *Stanza, mine fieldSet) map[string]any {
	sent := s.Spec()
	for _, p := range healthPaths(nil, mine) {
		if _, ok := yamlpos.GetValue(sent, p); ok {
			continue
		}
		lv, ok := yamlpos.GetValue(liveSpec, p)
		if !ok {
			continue
		}
		if part, ok := ownedPart(lv, mine.at(p)); ok {
			yamlpos.SetValue(sent, p, part)
		}
	}
	return sent
}

// ssaMerge models what server-side apply makes of the live map when a
// manager that owned mine applies sent, while others own others: fields
// the manager owned alone and no longer sends are removed, maps are merged
// field by field, and everything else (lists, scalars) is replaced.
func ssaMerge(live, sent map[string]any, mine, others fieldSet) map[string]any {
	out := map[string]any{}
	for k, v := range live {
		out[k] = v
	}
	for key, sub := range mine {
		name, ok := strings.CutPrefix(key, "f:")
		if !ok {
			continue
		}
		if _, resent := sent[name]; resent {
			continue
		}
		osub, shared := others["f:"+name]
		switch {
		case !shared:
			delete(out, name)
		case len(osub) > 0 && len(sub) > 0:
			if lm, ok := out[name].(map[string]any); ok {
				out[name] = ssaMerge(lm, map[string]any{}, sub, osub)
			}
		}
	}
	for name, sv := range sent {
		sm, sIsMap := sv.(map[string]any)
		lm, lIsMap := out[name].(map[string]any)
		if sIsMap && lIsMap {
			out[name] = ssaMerge(lm, sm, mine.at([]string{name}), others.at([]string{name}))
		} else {
			out[name] = deepCopy(sv)
		}
	}
	return out
}

// Conflict is a field that vmhealth would change but another field manager
// owns. Server-side apply refuses the change unless forced.
type Conflict struct {
	// Field is the path from the object's root: .spec.template.spec…
	Field string
	// Managers are the field managers that own it.
	Managers []string
}

// localConflicts finds what the server would report as conflicts: every
// value in sent that differs from the live one and that another manager
// owns. prefix is the VMI spec's path in the object.
func localConflicts(liveSpec, sent map[string]any, own ownership, prefix []string) []Conflict {
	var out []Conflict
	var walk func(path []string, v any)
	walk = func(path []string, v any) {
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			for _, k := range sortedKeys(m) {
				walk(append(slices.Clone(path), k), m[k])
			}
			return
		}
		lv, present := yamlpos.GetValue(liveSpec, path)
		if present && jsonEqual(lv, v) {
			return
		}
		full := append(slices.Clone(prefix), path...)
		if mgrs := own.ownersOf(full); len(mgrs) > 0 {
			out = append(out, Conflict{Field: "." + strings.Join(full, "."), Managers: mgrs})
		}
	}
	walk(nil, sent)
	return out
}

// mergePatchSpec is the JSON merge patch (RFC 7386) of a VMI spec that
// makes each probe and the watchdog of the stanza exactly what the stanza
// says: fields of those the stanza leaves out become null. It returns nil
// when nothing would change.
func mergePatchSpec(liveSpec map[string]any, s *Stanza) map[string]any {
	patch := map[string]any{}
	want := s.Spec()
	for _, p := range healthPaths(want, nil) {
		nv, _ := yamlpos.GetValue(want, p)
		lv, present := yamlpos.GetValue(liveSpec, p)
		if !present {
			yamlpos.SetValue(patch, p, nv)
			continue
		}
		if d, changed := diffMerge(lv, nv); changed {
			yamlpos.SetValue(patch, p, d)
		}
	}
	if len(patch) == 0 {
		return nil
	}
	return patch
}

// diffMerge returns the merge patch that turns old into new.
func diffMerge(old, new any) (any, bool) {
	om, ok1 := old.(map[string]any)
	nm, ok2 := new.(map[string]any)
	if !ok1 || !ok2 {
		if jsonEqual(old, new) {
			return nil, false
		}
		return deepCopy(new), true
	}
	p := map[string]any{}
	for k, nv := range nm {
		ov, present := om[k]
		if !present {
			p[k] = deepCopy(nv)
			continue
		}
		if d, changed := diffMerge(ov, nv); changed {
			p[k] = d
		}
	}
	for k := range om {
		if _, ok := nm[k]; !ok {
			p[k] = nil
		}
	}
	return p, len(p) > 0
}

// applyMergePatch applies an RFC 7386 merge patch to a copy of target.
func applyMergePatch(target any, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return deepCopy(patch)
	}
	tm, ok := target.(map[string]any)
	out := map[string]any{}
	if ok {
		for k, v := range tm {
			out[k] = v
		}
	}
	for k, pv := range pm {
		if pv == nil {
			delete(out, k)
			continue
		}
		out[k] = applyMergePatch(out[k], pv)
	}
	return out
}

// dropNulls removes null values from maps, recursively: in a stanza, a null
// says nothing, and server-side apply and merge patch would read it
// differently.
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = dropNulls(e)
		}
		return out
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
