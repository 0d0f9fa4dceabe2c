package baseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// inputLinter lints with the input rules only, whose findings depend on
// nothing but the text, so these tests do not move when rules are added.
func inputLinter(t *testing.T) *validate.Linter {
	t.Helper()
	reg := validate.NewRegistry()
	for _, id := range []string{validate.UnknownFieldRuleID, validate.DuplicateKeyRuleID, validate.InvalidTypeRuleID, validate.YAMLSyntaxRuleID} {
		r, ok := validate.DefaultRegistry.Get(id)
		if !ok {
			t.Fatalf("rule %s not registered", id)
		}
		if err := reg.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	return validate.MustNew(validate.Options{Registry: reg, Workers: 1})
}

const before = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
  namespace: demo
spec:
  template:
    spec:
      domain:
        devices: {}
      readinessProbe:
        tcpSocket:
          port: 22
        periodSecond: 5
      livenessProbe:
        tcpSocket:
          port: 22
        timeoutSecond: 5
`

// after moves both old findings down by ten lines (a comment block above
// them) and adds one new problem, a string where a number belongs.
var after = strings.Replace(before, "      readinessProbe:\n", strings.Repeat("      # unrelated edit\n", 10)+"      readinessProbe:\n", 1) +
	"        failureThreshold: \"3\"\n"

// TestRoundTrip is the baseline's promise: record today's findings, then
// after an unrelated edit that moves them and one new mistake, only the
// new mistake is left to fail the run.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "vm.yaml")
	path := filepath.Join(dir, ".vmhealth-baseline.json")
	l := inputLinter(t)

	old, _ := l.LintBytes(manifest, []byte(before))
	if len(old) != 2 {
		t.Fatalf("fixture: got %d findings before, want 2: %+v", len(old), old)
	}
	rec := NewRecorder(path)
	for _, f := range old {
		rec.Add(f)
	}
	if err := rec.Write(); err != nil {
		t.Fatal(err)
	}

	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 2 {
		t.Fatalf("Len() = %d, want 2", b.Len())
	}
	found, _ := l.LintBytes(manifest, []byte(after))
	var failing []validate.Finding
	for i := range found {
		if !b.Apply(&found[i]) {
			failing = append(failing, found[i])
		}
	}
	if len(found) != 3 {
		t.Fatalf("fixture: got %d findings after, want 3: %+v", len(found), found)
	}
	if len(failing) != 1 || failing[0].RuleID != validate.InvalidTypeRuleID || failing[0].Line != 29 {
		t.Fatalf("unsuppressed after the edit = %+v, want only the new invalid-type on line 29", failing)
	}
	for _, f := range found {
		if f.RuleID == validate.UnknownFieldRuleID {
			if f.Line < 24 {
				t.Errorf("fixture: %s on line %d did not move down by 10", f.Field, f.Line)
			}
			if f.Suppressed == nil || f.Suppressed.Kind != SuppressionKind || !strings.Contains(f.Suppressed.Justification, ".vmhealth-baseline.json") {
				t.Errorf("old finding %s: Suppressed = %+v, want kind baseline naming the file", f.Field, f.Suppressed)
			}
		}
	}
	if n := b.Unmatched(); n != 0 {
		t.Errorf("Unmatched() = %d, want 0", n)
	}
}

func TestFingerprint(t *testing.T) {
	base := validate.Finding{
		RuleID: "unknown-field", File: "manifests/vm.yaml", Line: 14, Column: 9,
		Object:  validate.ObjectRef{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachine", Namespace: "demo", Name: "web"},
		Field:   "spec.template.spec.readinessProbe.periodSecond",
		Message: `unknown field "periodSecond"`,
	}
	tests := []struct {
		name   string
		change func(*validate.Finding)
		same   bool
	}{
		{name: "line and column moved", change: func(f *validate.Finding) { f.Line, f.Column = 40, 3 }, same: true},
		{name: "file spelt with ./", change: func(f *validate.Finding) { f.File = "./manifests/vm.yaml" }, same: true},
		{name: "document index moved", change: func(f *validate.Finding) { f.Document = 3 }, same: true},
		{name: "severity changed by config", change: func(f *validate.Finding) { f.Severity = validate.SeverityWarning }, same: true},
		{name: "message reworded, field kept", change: func(f *validate.Finding) { f.Message = "something else" }, same: true},
		{name: "other rule", change: func(f *validate.Finding) { f.RuleID = "invalid-type" }},
		{name: "other file", change: func(f *validate.Finding) { f.File = "manifests/other.yaml" }},
		{name: "other object", change: func(f *validate.Finding) { f.Object.Name = "db" }},
		{name: "other namespace", change: func(f *validate.Finding) { f.Object.Namespace = "prod" }},
		{name: "nested in a template", change: func(f *validate.Finding) { f.Object.Path = "objects[1]" }},
		{name: "other field", change: func(f *validate.Finding) { f.Field = "spec.template.spec.livenessProbe.periodSecond" }},
	}
	want := NewFingerprinter("").Fingerprint(base)
	if len(want) != 32 {
		t.Fatalf("fingerprint %q is not 32 hex digits", want)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			tt.change(&f)
			got := NewFingerprinter("").Fingerprint(f)
			if (got == want) != tt.same {
				t.Errorf("fingerprint equal = %v, want %v", got == want, tt.same)
			}
		})
	}
}

func TestFingerprintWithoutField(t *testing.T) {
	f := validate.Finding{RuleID: "duplicate-key", File: "a.yaml", Message: "duplicate key \"x\" (first at line 12)"}
	moved := f
	moved.Message = "duplicate key \"x\"\n  (first at line 22)"
	other := f
	other.Message = "duplicate key \"y\" (first at line 12)"
	a, b, c := NewFingerprinter("").Fingerprint(f), NewFingerprinter("").Fingerprint(moved), NewFingerprinter("").Fingerprint(other)
	if a != b {
		t.Errorf("line number in the message changed the fingerprint")
	}
	if a == c {
		t.Errorf("different messages without a field share a fingerprint")
	}
}

// Two findings with the same identity get different fingerprints, so a
// third one appearing later is new.
func TestFingerprintOccurrences(t *testing.T) {
	f := validate.Finding{RuleID: "yaml-syntax", File: "a.yaml", Message: "bad"}
	fp := NewFingerprinter("")
	first, second := fp.Fingerprint(f), fp.Fingerprint(f)
	if first == second {
		t.Fatalf("duplicates share a fingerprint")
	}
	again := NewFingerprinter("")
	if again.Fingerprint(f) != first || again.Fingerprint(f) != second {
		t.Errorf("occurrence fingerprints are not reproducible")
	}
}

// Paths are taken relative to the baseline's directory, so running from
// another directory, or with absolute paths, matches the same findings.
func TestFingerprintRoot(t *testing.T) {
	dir := t.TempDir()
	f := validate.Finding{RuleID: "r", File: filepath.Join(dir, "manifests", "vm.yaml"), Field: "spec"}
	rel := f
	rel.File = "manifests/vm.yaml"
	if got, want := NewFingerprinter(dir).Fingerprint(f), NewFingerprinter("").Fingerprint(rel); got != want {
		t.Errorf("absolute path under the root fingerprints differently from the relative one")
	}
	if got := NewFingerprinter(dir).Path(f.File); got != "manifests/vm.yaml" {
		t.Errorf("Path() = %q", got)
	}
	for _, p := range []string{"-", ""} {
		if got := NewFingerprinter(dir).Path(p); got != p {
			t.Errorf("Path(%q) = %q, want it kept", p, got)
		}
	}
}

func TestRecorderSkipsAnnotationSuppressed(t *testing.T) {
	rec := NewRecorder(filepath.Join(t.TempDir(), "b.json"))
	rec.Add(validate.Finding{RuleID: "a", File: "x.yaml", Field: "spec", Suppressed: &validate.Suppression{Kind: "annotation"}})
	rec.Add(validate.Finding{RuleID: "b", File: "x.yaml", Field: "spec", Suppressed: &validate.Suppression{Kind: SuppressionKind}})
	rec.Add(validate.Finding{RuleID: "c", File: "x.yaml", Field: "spec"})
	if rec.Len() != 2 {
		t.Errorf("Len() = %d, want 2 (annotation-suppressed left out)", rec.Len())
	}
}

func TestMarshalIsStable(t *testing.T) {
	rec := NewRecorder("b.json")
	rec.Add(validate.Finding{RuleID: "z", File: "b.yaml", Field: "spec", Message: "m"})
	rec.Add(validate.Finding{RuleID: "a", File: "a.yaml", Field: "spec", Message: "m",
		Object: validate.ObjectRef{Kind: "VirtualMachine", Namespace: "demo", Name: "web", Path: "objects[0]"}})
	data, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(Marshal()) = %v\n%s", err, data)
	}
	if f.Findings[0].File != "a.yaml" || f.Findings[0].Object != "VirtualMachine/demo/web (objects[0])" {
		t.Errorf("findings not sorted or object not named: %+v", f.Findings)
	}
	if strings.Contains(string(data), `"line"`) {
		t.Errorf("baseline records line numbers:\n%s", data)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{name: "missing", path: filepath.Join(dir, "nope.json"), want: "does not exist (write one with --baseline-write)"},
		{name: "not JSON", path: write("text.json", "hello"), want: "not a vmhealth baseline"},
		{name: "unknown key", path: write("key.json", `{"version": 1, "fingerprint": "v1", "findings": [], "extra": 1}`), want: `unknown field "extra"`},
		{name: "other version", path: write("v2.json", `{"version": 2, "fingerprint": "v1", "findings": []}`), want: "version 2 is not supported"},
		{name: "other scheme", path: write("v0.json", `{"version": 1, "fingerprint": "v0", "findings": []}`), want: `scheme "v0"`},
		{name: "entry without fingerprint", path: write("empty.json", `{"version": 1, "fingerprint": "v1", "findings": [{"rule": "x", "message": "m"}]}`), want: "findings[0] has no fingerprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// FuzzParse checks that no input makes Parse panic, and that what it
// accepts survives a write and a second read.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version": 1, "fingerprint": "v1", "findings": [{"fingerprint": "ab", "rule": "r", "message": "m"}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		rec := &Recorder{file: *file}
		out, err := rec.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(out); err != nil {
			t.Fatalf("re-reading a written baseline: %v\n%s", err, out)
		}
	})
}
