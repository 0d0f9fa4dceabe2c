package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const classifyVM = "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: NAME}\nspec:\n  template:\n    spec:\n      readinessProbe:\n        initialDelaySeconds: 30\n"

// A tree as a repository holds it: a chart, an overlay with a patch listed
// in a parent's kustomization, and a stray VM. Walked as files, the
// template and the patches get one finding each and nothing else.
func TestTemplatesAndPatchesInATree(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"charts/web/Chart.yaml":                "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"charts/web/templates/vm.yaml":         "{{- if .Values.a }}\nkind: VirtualMachine\nspec: {{ .Values.spec }}\n{{- end }}\n---\nport: {{ .Values.port }}\n---\n{{ .Values.more }}\n",
		"overlays/prod/kustomization.yaml":     "resources: [../../base]\npatchesStrategicMerge:\n- patches/readiness.yaml\n- |\n  inline: patch\n",
		"overlays/prod/patches/readiness.yaml": strings.Replace(classifyVM, "NAME", "web", 1),
		"overlays/prod/other.yaml":             strings.Replace(classifyVM, "NAME", "stray", 1),
	})
	var got []Finding
	sum, err := MustNew(Options{}).Lint(context.Background(), []string{dir}, nil, func(f Finding) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string][]Finding{}
	for _, f := range got {
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	tmpl := byRule[HelmTemplateRuleID]
	if len(tmpl) != 1 || tmpl[0].Line != 1 || !strings.Contains(tmpl[0].Message, "the chart in "+filepath.Join(dir, "charts/web")) {
		t.Errorf("helm-template: want one finding at line 1 naming the chart, got\n%s", dump(tmpl))
	}
	patch := byRule[StrategicMergePatchRuleID]
	if len(patch) != 1 || !strings.HasSuffix(patch[0].File, "readiness.yaml") || patch[0].Line != 2 ||
		!strings.Contains(patch[0].Message, filepath.Join(dir, "overlays/prod/kustomization.yaml")+" lists this file as a patch") {
		t.Errorf("strategic-merge-patch: want one finding for readiness.yaml, got\n%s", dump(patch))
	}
	// The stray VM is not listed as a patch: linted as it is.
	noHandler := byRule["probe-no-handler"]
	if len(noHandler) != 1 || !strings.HasSuffix(noHandler[0].File, "other.yaml") {
		t.Errorf("probe-no-handler: want the stray VM only, got\n%s", dump(noHandler))
	}
	for _, id := range []string{YAMLSyntaxRuleID, InvalidTypeRuleID} {
		if len(byRule[id]) > 0 {
			t.Errorf("noise from the template: %s", dump(byRule[id]))
		}
	}
	if sum.Count(SeverityError) != 2 {
		t.Errorf("errors: %d, want 2 (the template, the stray VM)\n%s", sum.Count(SeverityError), dump(got))
	}
}

// Turned off, the rules leave the files to the others; on standard input
// there is no directory to find a kustomization in.
func TestClassifyRulesOff(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"kustomization.yaml": "patches:\n- path: p.yaml\n",
		"p.yaml":             strings.Replace(classifyVM, "NAME", "web", 1),
		"t.yaml":             "port: {{ .Values.port }}\n",
	})
	var got []string
	l := MustNew(Options{Disabled: map[string]bool{HelmTemplateRuleID: true, StrategicMergePatchRuleID: true}})
	if _, err := l.Lint(context.Background(), []string{dir}, nil, func(f Finding) { got = append(got, f.RuleID) }); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(got, " "), "helm-template") || !strings.Contains(strings.Join(got, " "), "probe-no-handler") {
		t.Errorf("with the rules off: %v", got)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "p.yaml"))
	fs, _ := MustNew(Options{}).LintBytes(StdinName, data)
	for _, f := range fs {
		if f.RuleID == StrategicMergePatchRuleID {
			t.Errorf("standard input classified as a patch: %s", dump(fs))
		}
	}
}

func TestHelmActionAt(t *testing.T) {
	for _, tt := range []struct {
		in        string
		line, col int
	}{
		{in: "a: 1\nname: {{ include \"x\" . }}\n", line: 2, col: 7},
		{in: "  {{- toYaml .Values.x | nindent 2 }}\n", line: 1, col: 3},
		{in: "x: \"{{ .Release.Name }}\"\n", line: 1, col: 5},
		{in: "# {{ .Values.a }}\nport: ${{PORT}}\n"},
		{in: "text: '{{not an action}}'\n"},
	} {
		line, col, ok := helmActionAt([]byte(tt.in))
		if ok != (tt.line > 0) || line != tt.line || col != tt.col {
			t.Errorf("%q: %d:%d %v, want %d:%d", tt.in, line, col, ok, tt.line, tt.col)
		}
	}
}

// ShallowDir reads a directory one level deep, as kubectl's -f without -R.
func TestShallowDir(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.yaml": "kind: x\n", "sub/b.yaml": "kind: y\n"})
	for _, shallow := range []bool{true, false} {
		l := MustNew(Options{ShallowDir: func(d string) bool { return shallow && d == dir }})
		sum, err := l.Lint(context.Background(), []string{dir}, nil, func(Finding) {})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 2}[shallow]; sum.Files != want {
			t.Errorf("shallow %v: %d files, want %d", shallow, sum.Files, want)
		}
	}
}
