package sources_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/sources"
	"github.com/vmhealth/vmhealth/validate"
)

// located is a finding as a user sees it: rule, file and line.
type located struct {
	rule     string
	file     string
	line     int
	rendered bool
}

// lintDocs lints rendered documents and maps each finding back.
func lintDocs(t *testing.T, docs []sources.Document) []located {
	t.Helper()
	l := validate.MustNew(validate.Options{})
	var out []located
	for _, d := range docs {
		fs, _ := l.LintBytes(d.Name, d.Data)
		for _, f := range fs {
			p := d.Locate(f.Line, f.Column, f.Field)
			out = append(out, located{f.RuleID, filepath.ToSlash(p.File), p.Line, p.Rendered})
		}
	}
	return out
}

// lineOf returns the 1-based line of file holding text.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, text)
	return 0
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		path string
		want sources.Kind
	}{
		{"testdata/chart/web-vm", sources.HelmChart},
		{"testdata/kustomize/overlays/prod", sources.Kustomization},
		{"testdata/kustomize/base/vm.yaml", sources.Plain},
		{"testdata", sources.Plain},
	} {
		if got := sources.Detect(tc.path); got != tc.want {
			t.Errorf("Detect(%s) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestRenderChartClean(t *testing.T) {
	docs, err := sources.RenderChart("testdata/chart/web-vm", sources.HelmOptions{ReleaseName: "shop", Namespace: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range docs {
		names = append(names, filepath.ToSlash(d.Name))
	}
	// NOTES.txt and the partial are not manifests.
	want := "testdata/chart/web-vm/templates/service.yaml testdata/chart/web-vm/templates/vm.yaml"
	if strings.Join(names, " ") != want {
		t.Fatalf("documents %v, want %s", names, want)
	}
	if !strings.Contains(string(docs[1].Data), "name: shop-web") || !strings.Contains(string(docs[1].Data), "namespace: demo") {
		t.Errorf("release name and namespace not rendered:\n%s", docs[1].Data)
	}
	if got := lintDocs(t, docs); len(got) != 0 {
		t.Errorf("the default values lint clean, got %+v", got)
	}
}

func TestRenderChartValuesMistake(t *testing.T) {
	dir := "testdata/chart/web-vm"
	docs, err := sources.RenderChart(dir, sources.HelmOptions{ValueFiles: []string{filepath.Join(dir, "values-broken.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	tpl := filepath.Join(dir, "templates/vm.yaml")
	got := map[string]located{}
	for _, f := range lintDocs(t, docs) {
		got[f.rule] = f
	}
	for rule, text := range map[string]string{
		"watchdog-action":                "action: {{ .Values.watchdog.action }}",
		"probe-period-not-above-timeout": "periodSeconds: {{ .Values.readiness.period }}",
	} {
		f, ok := got[rule]
		if !ok {
			t.Errorf("no %s finding in %+v", rule, got)
			continue
		}
		if want := (located{rule, filepath.ToSlash(tpl), lineOf(t, tpl, text), false}); f != want {
			t.Errorf("%s at %+v, want the template line %+v", rule, f, want)
		}
	}
}

func TestRenderChartSet(t *testing.T) {
	docs, err := sources.RenderChart("testdata/chart/web-vm", sources.HelmOptions{Set: []string{"healthPort=8080"}, KubeVersion: "1.33"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(docs[1].Data), "port: 8080") {
		t.Errorf("--set not applied:\n%s", docs[1].Data)
	}
}

func TestRenderChartErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Chart.yaml", "apiVersion: v2\nname: bad\nversion: 0.1.0\n")
	write("templates/vm.yaml", "kind: VirtualMachine\nmetadata:\n  name: {{ .Values.name | required \"name is required\" }}\n")
	_, err := sources.RenderChart(dir, sources.HelmOptions{})
	var re *sources.RenderError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a RenderError", err)
	}
	if re.File != filepath.Join(dir, "templates/vm.yaml") || re.Line != 3 || !strings.Contains(re.Msg, "name is required") {
		t.Errorf("RenderError %+v, want templates/vm.yaml line 3 with the message", re)
	}

	write("templates/vm.yaml", "kind: VirtualMachine\n{{ if }}\n")
	_, err = sources.RenderChart(dir, sources.HelmOptions{})
	if !errors.As(err, &re) || re.Line != 2 || re.File != filepath.Join(dir, "templates/vm.yaml") {
		t.Errorf("parse error = %v, want templates/vm.yaml line 2", err)
	}

	if _, err := sources.RenderChart(dir, sources.HelmOptions{KubeVersion: "one"}); err == nil {
		t.Error("a bad --kube-version was accepted")
	}
	if _, err := sources.RenderChart(filepath.Join(dir, "missing"), sources.HelmOptions{}); !errors.As(err, &re) {
		t.Errorf("a missing chart: %v, want a RenderError", err)
	}
}

func TestBuildKustomizationPatchBreaksProbe(t *testing.T) {
	docs, err := sources.BuildKustomization("testdata/kustomize/overlays/prod")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1", len(docs))
	}
	base := "testdata/kustomize/base/vm.yaml"
	if got := filepath.ToSlash(filepath.Clean(docs[0].Name)); got != base {
		t.Errorf("document named %s, want the resource file %s", got, base)
	}
	if strings.Contains(string(docs[0].Data), "config.kubernetes.io/origin") || !strings.Contains(string(docs[0].Data), "name: prod-web") {
		t.Errorf("rendered resource:\n%s", docs[0].Data)
	}
	patch := "testdata/kustomize/overlays/prod/probe-patch.yaml"
	got := map[string]located{}
	for _, f := range lintDocs(t, docs) {
		f.file = filepath.ToSlash(filepath.Clean(f.file))
		got[f.rule] = f
	}
	// The port is the patch's; the period the rule points at is the
	// base's (the patch only raised the timeout).
	for _, tc := range []struct{ rule, file, text string }{
		{"probe-port-not-forwarded", patch, "port: 8080"},
		{"probe-period-not-above-timeout", base, "periodSeconds: 10"},
	} {
		f, ok := got[tc.rule]
		if !ok {
			t.Errorf("no %s finding in %+v", tc.rule, got)
			continue
		}
		if want := (located{tc.rule, tc.file, lineOf(t, tc.file, tc.text), false}); f != want {
			t.Errorf("%s at %+v, want %+v", tc.rule, f, want)
		}
	}
	if _, ok := got["probe-no-handler"]; ok {
		t.Error("probe-no-handler: the patch was linted as a whole VM")
	}
}

func TestBuildKustomizationRemoteRefused(t *testing.T) {
	_, err := sources.BuildKustomization("testdata/kustomize/overlays/remote")
	if err == nil || !strings.Contains(err.Error(), "remote base") || !strings.Contains(err.Error(), "github.com/example/vms") {
		t.Errorf("err = %v, want remote base refused", err)
	}
}
