package validate

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/yamledit"
	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// Fix is how a rule's findings are fixed by `vmhealth lint --fix`: an
// Apply that edits the file, or None saying why the rule has no fix that is
// always right. Every rule declares one or the other.
type Fix struct {
	// Apply edits c.File so that the finding goes away, and describes the
	// edit in a few words. It returns an error wrapping
	// yamledit.ErrNotEditable, or ErrNoCertainFix, when this finding has no
	// certain fix (an ambiguous suggestion); the file is then left as it was.
	Apply func(c *FixContext) (string, error)
	// None says why the rule has no certain fix.
	None string
}

// ErrNoCertainFix says that a finding's fix would be a guess.
var ErrNoCertainFix = errors.New("no certain fix")

// FixContext is what a Fix works on: the file, the finding, and the mapping
// entry at the finding's position.
type FixContext struct {
	File    *yamledit.File
	Finding Finding
	Entry   yamledit.Entry
}

// FixedFinding is a finding that a fix removed, with what the fix did.
type FixedFinding struct {
	Finding Finding
	Change  string
}

// FixResult is what FixBytes did to one file.
type FixResult struct {
	// Data is the file after every certain fix.
	Data []byte
	// Fixed lists the findings fixed, in the order fixed.
	Fixed []FixedFinding
	// Remaining are the findings of Data.
	Remaining []Finding
	// Summary is the lint summary of Data.
	Summary *Summary
}

// maxFixes bounds the fix loop of one file; each round fixes one finding.
const maxFixes = 1000

// FixBytes applies every certain fix to data, one finding at a time, and
// lints again after each: a fix is kept only when its finding is gone and
// no finding appeared that was not there before. It refuses files it
// cannot edit back (Go or Helm templates, line breaks other than LF and
// CRLF) with an error that says why.
func (l *Linter) FixBytes(name string, data []byte) (*FixResult, error) {
	if bytes.Contains(data, []byte("{{")) {
		return nil, fmt.Errorf("%s: cannot fix a Helm or Go template ({{ }}): its objects exist only once rendered; fix the chart's source, using the findings of `helm template … | vmhealth lint -`", name)
	}
	findings, sum := l.LintBytes(name, data)
	res := &FixResult{Data: data, Remaining: findings, Summary: sum}
	if _, err := yamledit.Parse(data); err != nil {
		if len(findings) == 0 {
			return res, nil
		}
		return nil, fmt.Errorf("%s: cannot be edited in place: %w", name, err)
	}
	tried := map[string]bool{}
	for range maxFixes {
		progress := false
		for _, f := range res.Remaining {
			rule := l.all[f.RuleID]
			if f.Suppressed != nil || rule == nil || rule.Fix == nil || rule.Fix.Apply == nil || f.Line == 0 {
				continue
			}
			key := fmt.Sprintf("%s\x00%s\x00%s\x00%d:%d", f.RuleID, f.Field, f.Message, f.Line, f.Column)
			if tried[key] {
				continue
			}
			tried[key] = true
			next, change, after, sum, ok := l.tryFix(name, res.Data, res.Remaining, f, rule)
			if !ok {
				continue
			}
			res.Data, res.Remaining, res.Summary = next, after, sum
			res.Fixed = append(res.Fixed, FixedFinding{Finding: f, Change: change})
			progress = true
			break
		}
		if !progress {
			break
		}
	}
	return res, nil
}

// tryFix applies rule's fix to finding f of data and checks the result.
func (l *Linter) tryFix(name string, data []byte, before []Finding, f Finding, rule *Rule) ([]byte, string, []Finding, *Summary, bool) {
	file, err := yamledit.Parse(data)
	if err != nil {
		return nil, "", nil, nil, false
	}
	entry, ok := file.At(f.Line, f.Column)
	if !ok {
		return nil, "", nil, nil, false
	}
	change, err := rule.Fix.Apply(&FixContext{File: file, Finding: f, Entry: entry})
	if err != nil {
		return nil, "", nil, nil, false
	}
	next := file.Bytes()
	after, sum := l.LintBytes(name, next)
	if !FixHolds(before, after, f) {
		return nil, "", nil, nil, false
	}
	return next, change, after, sum, true
}

// FixHolds reports whether after, the findings once fixed has been fixed,
// no longer has fixed and has nothing that before did not have. Findings
// are compared by rule, object and field, since fixes move lines.
func FixHolds(before, after []Finding, fixed Finding) bool {
	count := map[string]int{}
	key := func(f Finding) string {
		return f.RuleID + "\x00" + f.Object.WithPath() + "\x00" + fmt.Sprint(f.Document) + "\x00" + f.Field
	}
	for _, f := range before {
		count[key(f)]++
	}
	count[key(fixed)]--
	for _, f := range after {
		k := key(f)
		if count[k] <= 0 {
			return false
		}
		count[k]--
	}
	return true
}

// closeCandidates returns the names in known as close to name as
// suggestField allows, at the smallest distance found.
func closeCandidates(name string, known []string) []string {
	lower := strings.ToLower(name)
	limit := max(1, len(name)/4)
	best := limit + 1
	var out []string
	for _, k := range known {
		dist := nameDistance(lower, k)
		switch {
		case dist < best:
			best, out = dist, []string{k}
		case dist == best:
			out = append(out, k)
		}
	}
	return out
}

// typeAt returns the decoding information of the field at path (relative to
// an object of apiVersion/kind), or nil when the path leaves the typed API.
func typeAt(apiVersion, kind, path string) *typeInfo {
	info, known, _ := kindFor(apiVersion, kind)
	if !known {
		return nil
	}
	ti := typeInfoOf(reflect.TypeOf(info.newTyped()).Elem())
	for _, seg := range yamlpos.SplitPath(path) {
		for ti != nil && ti.st == nil && ti.elem != nil && !seg.IsIdx {
			ti = ti.elem
		}
		if ti == nil {
			return nil
		}
		if seg.IsIdx {
			ti = ti.elem
			continue
		}
		if ti.st == nil {
			return nil
		}
		f := ti.st.fields[seg.Name]
		if f == nil || f.preserveUnknown {
			return nil
		}
		ti = f.ti
	}
	for ti != nil && ti.st == nil && ti.elem != nil && ti.t.Kind() == reflect.Pointer {
		ti = ti.elem
	}
	return ti
}

// parentPath splits a.b.c into a.b and c.
func parentPath(path string) (string, string) {
	i := strings.LastIndexAny(path, ".")
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

// fixUnknownField renames a key with exactly one close known field that the
// mapping does not have yet.
func fixUnknownField(c *FixContext) (string, error) {
	k := c.Entry.Key()
	parent, name := parentPath(c.Finding.Field)
	if name != k.Value || k.Style != 0 {
		return "", ErrNoCertainFix
	}
	ti := typeAt(c.Finding.Object.APIVersion, c.Finding.Object.Kind, parent)
	if ti == nil || ti.st == nil {
		return "", ErrNoCertainFix
	}
	cands := closeCandidates(name, ti.st.names)
	if len(cands) != 1 {
		return "", fmt.Errorf("%w: %d close fields", ErrNoCertainFix, len(cands))
	}
	m := c.Entry.Mapping
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == cands[0] {
			return "", fmt.Errorf("%w: %q is already set", ErrNoCertainFix, cands[0])
		}
	}
	if err := c.File.SetScalar(k, cands[0]); err != nil {
		return "", err
	}
	return fmt.Sprintf("renamed %s to %s", name, cands[0]), nil
}

// fixQuotedInteger unquotes a quoted integer in an integer field.
func fixQuotedInteger(c *FixContext) (string, error) {
	v := c.Entry.Value()
	if v.Kind != yaml.ScalarNode || v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 ||
		v.Line != c.Finding.Line || v.Column != c.Finding.Column {
		return "", ErrNoCertainFix
	}
	if _, err := strconv.ParseInt(v.Value, 10, 64); err != nil || strings.HasPrefix(v.Value, "0") && v.Value != "0" || strings.HasPrefix(v.Value, "+") {
		return "", ErrNoCertainFix
	}
	ti := typeAt(c.Finding.Object.APIVersion, c.Finding.Object.Kind, c.Finding.Field)
	if ti == nil {
		return "", ErrNoCertainFix
	}
	switch ti.t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return "", ErrNoCertainFix
	}
	if err := c.File.Unquote(v); err != nil {
		return "", err
	}
	return fmt.Sprintf("unquoted %s: %s", c.Entry.Key().Value, v.Value), nil
}

// FixFinding applies the fix of the one finding f of data, as FixBytes
// would, and returns the fixed data and what the fix did; ok is false when
// f's rule has no fix, the fix is not certain for this finding, or the
// result does not hold (the finding stays or another appears). Editors'
// code actions use it to offer one finding's fix at a time.
func (l *Linter) FixFinding(name string, data []byte, f Finding) (fixed []byte, change string, ok bool) {
	rule := l.all[f.RuleID]
	if bytes.Contains(data, []byte("{{")) || f.Suppressed != nil || rule == nil || rule.Fix == nil || rule.Fix.Apply == nil || f.Line == 0 {
		return nil, "", false
	}
	before, _ := l.LintBytes(name, data)
	next, change, _, _, ok := l.tryFix(name, data, before, f, rule)
	return next, change, ok
}
