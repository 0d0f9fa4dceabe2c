package validate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const cleanVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
  namespace: prod
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        resources:
          requests:
            memory: 1Gi
      readinessProbe:
        tcpSocket:
          port: 1500
        initialDelaySeconds: 120
        periodSeconds: 20
`

// only keeps the findings of the given rules, so that these engine tests do
// not depend on which other rules exist.
func only(fs []Finding, ids ...string) []Finding {
	var out []Finding
	for _, f := range fs {
		for _, id := range ids {
			if f.RuleID == id {
				out = append(out, f)
			}
		}
	}
	return out
}

func TestLintKeepsGoingAfterABrokenDocument(t *testing.T) {
	in := cleanVM + "---\nthis: is: broken\n---\n" + strings.Replace(cleanVM, "periodSeconds", "periodSecond", 1)
	findings, sum := MustNew(Options{}).LintBytes("in.yaml", []byte(in))
	findings = only(findings, YAMLSyntaxRuleID, UnknownFieldRuleID)
	var rules []string
	for _, f := range findings {
		rules = append(rules, f.RuleID+"@"+f.Location())
	}
	want := []string{"yaml-syntax@in.yaml:20:1", "unknown-field@in.yaml:39:9"}
	for _, w := range want {
		found := false
		for _, r := range rules {
			found = found || r == w
		}
		if !found {
			t.Errorf("missing %s in %v", w, rules)
		}
	}
	if sum.Documents != 3 || sum.Objects != 2 {
		t.Errorf("summary %+v", sum)
	}
}

func TestSuppressionAnnotation(t *testing.T) {
	in := strings.Replace(cleanVM, "  namespace: prod\n", "  namespace: prod\n  annotations:\n    vmhealth.io/ignore: unknown-field, other\n    vmhealth.io/ignore-reason: legacy tooling adds it\n", 1)
	in = strings.Replace(in, "periodSeconds", "periodSecond", 1)
	findings, sum := MustNew(Options{}).LintBytes("in.yaml", []byte(in))
	findings = only(findings, UnknownFieldRuleID)
	if len(findings) != 1 || findings[0].Suppressed == nil || findings[0].Suppressed.Justification != "legacy tooling adds it" {
		t.Fatalf("findings %+v", findings)
	}
	if sum.Suppressed != 1 || sum.Count(SeverityWarning) != 0 {
		t.Errorf("summary %+v", sum)
	}
}

func TestDisabledAndOverriddenRules(t *testing.T) {
	in := []byte(strings.Replace(cleanVM, "periodSeconds", "periodSecond", 1))
	if f, _ := MustNew(Options{Disabled: map[string]bool{UnknownFieldRuleID: true}}).LintBytes("x", in); len(only(f, UnknownFieldRuleID)) != 0 {
		t.Errorf("disabled rule reported: %+v", f)
	}
	f, _ := MustNew(Options{SeverityOverrides: map[string]Severity{UnknownFieldRuleID: SeverityWarning}}).LintBytes("x", in)
	f = only(f, UnknownFieldRuleID)
	if len(f) != 1 || f[0].Severity != SeverityWarning {
		t.Errorf("override not applied: %+v", f)
	}
}

func TestListsTemplatesAndSkippedKinds(t *testing.T) {
	in := `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: c}
  - apiVersion: kubevirt.io/v1
    kind: VirtualMachineInstance
    metadata: {name: vmi}
    spec:
      domain: {resources: {requests: {memory: 1Gi}}}
      livenesProbe: {}
`
	findings, sum := MustNew(Options{}).LintBytes("list.yaml", []byte(in))
	findings = only(findings, UnknownFieldRuleID)
	if sum.Objects != 1 || sum.Skipped["ConfigMap"] != 1 {
		t.Errorf("summary %+v", sum)
	}
	if len(findings) != 1 || findings[0].Object.Path != "items[1]" || findings[0].Line != 12 || findings[0].Object.Name != "vmi" {
		t.Errorf("findings %+v", findings)
	}
}

func TestFindingsAreOrderedWhateverTheWorkers(t *testing.T) {
	var b strings.Builder
	for i := range 60 {
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString(strings.Replace(cleanVM, "periodSeconds", "periodSecond", 1))
	}
	one, _ := MustNew(Options{Workers: 1}).LintBytes("x", []byte(b.String()))
	many, _ := MustNew(Options{Workers: 8}).LintBytes("x", []byte(b.String()))
	one, many = only(one, UnknownFieldRuleID), only(many, UnknownFieldRuleID)
	if len(one) != 60 || len(many) != 60 {
		t.Fatalf("got %d and %d findings", len(one), len(many))
	}
	for i := range one {
		if one[i].Line != many[i].Line || (i > 0 && one[i].Line <= one[i-1].Line) {
			t.Fatalf("order differs at %d: %d vs %d", i, one[i].Line, many[i].Line)
		}
	}
}

func TestUnreadableInputsAreReportedAndSkipped(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.yaml")
	if err := os.WriteFile(good, []byte(strings.Replace(cleanVM, "periodSeconds", "periodSecond", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone.yaml"), filepath.Join(dir, "b.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	var got []Finding
	sum, err := MustNew(Options{}).Lint(context.Background(), []string{dir, filepath.Join(dir, "missing.yaml")}, nil, func(f Finding) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	got = only(got, UnknownFieldRuleID)
	if len(got) != 1 || got[0].File != good {
		t.Errorf("findings %+v", got)
	}
	if len(sum.InputErrors) != 2 {
		t.Errorf("input errors %v", sum.InputErrors)
	}
}

func TestLintObjectHasNoPositions(t *testing.T) {
	obj := map[string]any{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
		"metadata": map[string]any{"name": "vm", "namespace": "ns"},
		"spec":     map[string]any{"template": map[string]any{"spec": map[string]any{"livenesProbe": map[string]any{}}}}}
	f, err := MustNew(Options{}).LintObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	f = only(f, UnknownFieldRuleID)
	if len(f) != 1 || f[0].Line != 0 || f[0].File != "" || f[0].Location() != "VirtualMachine/ns/vm" {
		t.Errorf("findings %+v", f)
	}
}

func TestObjectsReturnsTypedObjects(t *testing.T) {
	objs, _, _ := MustNew(Options{}).Objects("x.yaml", []byte(cleanVM))
	if len(objs) != 1 || objs[0].Spec == nil || objs[0].Spec.ReadinessProbe == nil || objs[0].SpecPath.String() != "spec.template.spec" {
		t.Fatalf("objects %+v", objs)
	}
}

func TestRulesDoNotJudgeUndecodedValues(t *testing.T) {
	in := strings.Replace(cleanVM, "periodSeconds: 20", `periodSeconds: "20"`, 1)
	findings, _ := MustNew(Options{}).LintBytes("x.yaml", []byte(in))
	if len(findings) != 1 || findings[0].RuleID != InvalidTypeRuleID {
		t.Errorf("want only invalid-type, got:\n%s", dump(findings))
	}
}

func TestSkipPathIsNeverRead(t *testing.T) {
	dir := t.TempDir()
	bad := strings.Replace(cleanVM, "periodSeconds", "periodSecond", 1)
	for _, p := range []string{"vendor/a.yaml", "vendor/deep/b.yaml", "own/c.yaml"} {
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, p), []byte(bad), 0o644))
	}
	var asked []string
	skip := func(p string) bool {
		asked = append(asked, p)
		return strings.HasSuffix(p, "vendor")
	}
	var got []Finding
	sum, err := MustNew(Options{SkipPath: skip}).Lint(context.Background(), []string{dir}, nil, func(f Finding) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	got = only(got, UnknownFieldRuleID)
	if sum.Files != 1 || sum.IgnoredPaths != 1 || len(got) != 1 || !strings.HasSuffix(got[0].File, "own/c.yaml") {
		t.Errorf("files %d, ignored %d, findings %+v", sum.Files, sum.IgnoredPaths, got)
	}
	for _, p := range asked {
		if strings.Contains(p, "deep") {
			t.Errorf("walked into an ignored directory: %s", p)
		}
	}
}

func TestOnObjectSeesEveryObjectInOrder(t *testing.T) {
	in := cleanVM + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n" + strings.Replace(cleanVM, "name: web", "name: api", 1)
	var got []string
	MustNew(Options{OnObject: func(file string, doc int, ref ObjectRef) {
		got = append(got, fmt.Sprintf("%s#%d:%s", file, doc, ref))
	}}).LintBytes("x.yaml", []byte(in))
	want := []string{"x.yaml#0:VirtualMachine/prod/web", "x.yaml#2:VirtualMachine/prod/api"}
	if !slices.Equal(got, want) {
		t.Errorf("objects %v, want %v", got, want)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"disabled typo", Options{Disabled: map[string]bool{"unknown-feild": true}}, `unknown rule "unknown-feild" (did you mean "unknown-field"?)`},
		{"severity for no rule", Options{SeverityOverrides: map[string]Severity{"nope": SeverityError}}, `unknown rule "nope"`},
		{"architecture", Options{Architecture: "x86_64"}, `unknown architecture "x86_64"`},
		{"parameter name", Options{RuleParams: map[string]map[string]int{LivenessBootRuleID: {"minBoot": 1}}}, `no parameter "minBoot"`},
		{"parameter range", Options{RuleParams: map[string]map[string]int{LivenessBootRuleID: {MinBootSecondsParam: 0}}}, "must be from 1 to 86400"},
		{"workers", Options{Workers: -1}, "negative number of workers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, %v; want an error containing %q", l, err, tt.want)
			}
		})
	}
	if _, err := New(Options{Architecture: "arm64", RuleParams: map[string]map[string]int{LivenessBootRuleID: {MinBootSecondsParam: 300}}}); err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
}

// TestLoadThenCheck: Load reports only the input rules; Check adds the
// object rules; together they give what LintBytes gives.
func TestLoadThenCheck(t *testing.T) {
	in := []byte(cleanVM + "    periodSecond: 5\n")
	l := MustNew(Options{})
	objs, loaded, _ := l.Load("x.yaml", in)
	if len(objs) != 1 {
		t.Fatalf("Load returned %d objects, want 1", len(objs))
	}
	for _, f := range loaded {
		if r, _ := DefaultRegistry.Get(f.RuleID); r == nil || r.Check != nil {
			t.Errorf("Load reported %s, which is not an input rule", f.RuleID)
		}
	}
	all := append(loaded, l.Check(objs[0])...)
	SortFindings(all)
	want, _ := l.LintBytes("x.yaml", in)
	if len(all) != len(want) {
		t.Fatalf("Load+Check gave %d findings, LintBytes %d:\n%v\n%v", len(all), len(want), all, want)
	}
}
