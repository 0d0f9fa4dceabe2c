package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// The chart and overlay are the sources package's test data: a VM chart
// with probes and a watchdog, and a base with a patch that breaks a probe.
var (
	testChart   = filepath.Join("..", "..", "sources", "testdata", "chart", "web-vm")
	testOverlay = filepath.Join("..", "..", "sources", "testdata", "kustomize", "overlays", "prod")
)

func TestLintSources(t *testing.T) {
	tpl := filepath.Join(testChart, "templates", "vm.yaml")
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		want    []string // in stdout
		wantErr []string // in stderr
		notWant []string
	}{
		{name: "clean chart", args: []string{"lint", testChart}, code: 0, want: []string{"1 file, 1 object"}, notWant: []string{"yaml-syntax", "Chart.yaml"}},
		{name: "values file brings a mistake", args: []string{"lint", "--values", filepath.Join(testChart, "values-broken.yaml"), testChart}, code: 1,
			want: []string{tpl + ":", "watchdog-action", "probe-period-not-above-timeout"}},
		{name: "--set", args: []string{"lint", "--set", "watchdog.action=explode", "--release-name", "shop", "-n", "demo", testChart}, code: 1,
			want: []string{"watchdog-action", "VirtualMachine/demo/shop-web"}},
		{name: "overlay patch breaks a probe", args: []string{"lint", testOverlay}, code: 1,
			want: []string{filepath.Join(testOverlay, "probe-patch.yaml") + ":13:", "probe-port-not-forwarded"}, notWant: []string{"probe-no-handler"}},
		{name: "remote base", args: []string{"lint", filepath.Join(testOverlay, "..", "remote")}, code: 2, wantErr: []string{"remote base"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			f.Registry = validate.DefaultRegistry // the real rules
			code, stdout, stderr := run(t, f, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(stdout, w) {
					t.Errorf("stdout has %q:\n%s", w, stdout)
				}
			}
		})
	}
}

func TestLintEmptyStdin(t *testing.T) {
	f, _, _, _ := testFactory(t)
	code, _, stderr := run(t, f, "lint", "-")
	if code != 2 || !strings.Contains(stderr, "standard input was empty") {
		t.Errorf("empty stdin: exit %d, stderr %q; want 2", code, stderr)
	}
}
