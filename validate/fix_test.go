package validate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEveryRuleDeclaresFix holds every rule to a Fix that either applies
// or says why it cannot, never both or neither.
func TestEveryRuleDeclaresFix(t *testing.T) {
	for _, r := range DefaultRegistry.Rules() {
		switch {
		case r.Fix == nil:
			t.Errorf("%s declares no Fix: give it an Apply or say in None why it has none", r.ID)
		case r.Fix.Apply != nil && r.Fix.None != "":
			t.Errorf("%s has both an Apply and a reason for having none", r.ID)
		case r.Fix.Apply == nil && strings.TrimSpace(r.Fix.None) == "":
			t.Errorf("%s has neither an Apply nor a reason for having none", r.ID)
		}
	}
}

// findingKeys counts findings by rule, object and field.
func findingKeys(fs []Finding) map[string]int {
	out := map[string]int{}
	for _, f := range fs {
		out[f.RuleID+" "+f.Object.WithPath()+" "+f.Field]++
	}
	return out
}

// checkFixed lints data and fixed afresh and checks that every finding
// reported fixed is gone and that fixed has no finding data did not have.
func checkFixed(t *testing.T, l *Linter, data []byte, res *FixResult) {
	t.Helper()
	before, _ := l.LintBytes("in.yaml", data)
	after, _ := l.LintBytes("in.yaml", res.Data)
	want := findingKeys(before)
	for _, f := range res.Fixed {
		want[f.Finding.RuleID+" "+f.Finding.Object.WithPath()+" "+f.Finding.Field]--
	}
	for k, n := range findingKeys(after) {
		if n > want[k] {
			t.Errorf("after fixing, %d× %s (expected at most %d)", n, k, want[k])
		}
	}
}

// TestEveryFixHolds runs each rule's fix on the rule's failing fixture: it
// must fix at least one finding, and the fixed file must lint without the
// fixed findings and without new ones.
func TestEveryFixHolds(t *testing.T) {
	for _, r := range DefaultRegistry.Rules() {
		if r.Fix == nil || r.Fix.Apply == nil {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "rules", r.ID, "fail.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			l := New(fixtureOptions(t, data))
			res, err := l.FixBytes("in.yaml", data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(res.Fixed, func(f FixedFinding) bool { return f.Finding.RuleID == r.ID }) {
				t.Fatalf("no %s finding of the failing fixture was fixed", r.ID)
			}
			checkFixed(t, l, data, res)
		})
	}
}

// TestFixGolden fixes realistic broken manifests and compares the bytes
// with testdata/fix/*.fixed (go test -update rewrites them).
func TestFixGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "fix", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			l := New(Options{})
			res, err := l.FixBytes(in, data)
			if err != nil {
				t.Fatal(err)
			}
			var report strings.Builder
			for _, f := range res.Fixed {
				report.WriteString(f.Finding.Location() + " " + f.Finding.RuleID + ": " + f.Change + "\n")
			}
			report.WriteString("remaining:\n")
			for _, f := range res.Remaining {
				report.WriteString(f.Location() + " " + f.RuleID + "\n")
			}
			checkGoldenFile(t, strings.TrimSuffix(in, ".yaml")+".fixed", res.Data)
			checkGoldenFile(t, strings.TrimSuffix(in, ".yaml")+".report", []byte(report.String()))
			checkFixed(t, l, data, res)
			// Every comment on a line of its own survives; a comment after
			// a key goes only with a key removed.
			lost := 0
			for _, line := range strings.Split(string(data), "\n") {
				i := strings.Index(line, "# ")
				if i < 0 || strings.Contains(string(res.Data), line[i:]) {
					continue
				}
				if strings.TrimSpace(line[:i]) == "" {
					t.Errorf("comment line %q lost", line)
				}
				lost++
			}
			removed := 0
			for _, f := range res.Fixed {
				if strings.HasPrefix(f.Change, "removed ") {
					removed++
				}
			}
			if lost > removed {
				t.Errorf("%d comments lost, but only %d keys removed", lost, removed)
			}
		})
	}
}

// TestFixRefusesTemplates refuses Helm chart templates with the reason.
func TestFixRefusesTemplates(t *testing.T) {
	_, err := New(Options{}).FixBytes("chart/templates/vm.yaml", []byte("kind: VirtualMachine\nmetadata:\n  name: {{ .Values.name }}\n"))
	if err == nil || !strings.Contains(err.Error(), "Helm") {
		t.Fatalf("err = %v, want a refusal naming Helm", err)
	}
}

// checkGoldenFile compares got with the file at path, or rewrites it under
// -update. (internal/golden registers its own -update flag, which this
// package's would clash with.)
func checkGoldenFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
