package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// TestGenHonoursConfig: gen lints its result with the configuration
// file's rule settings, as lint does. A file that makes
// liveness-kills-before-boot an error makes gen refuse a liveness probe
// that can end a booting guest; one that also turns the rule off makes gen
// accept it again; without a file gen accepts it with advice.
func TestGenHonoursConfig(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"strict.yaml":   "rules:\n  liveness-kills-before-boot:\n    severity: error\n",
		"disabled.yaml": "rules:\n  liveness-kills-before-boot:\n    severity: error\n    enabled: false\n",
		"boot.yaml":     "rules:\n  liveness-kills-before-boot:\n    severity: error\n    params:\n      minBootSeconds: 20\n",
	})
	args := []string{"gen", "--liveness", "tcp:1500"}
	tests := []struct {
		name       string
		flags      []string
		wantCode   int
		wantStderr string
	}{
		{"no file", []string{"--no-config"}, ExitOK, "liveness-kills-before-boot"},
		{"rule made an error", []string{"--config", filepath.Join(dir, "strict.yaml")}, ExitError, "refusing to generate"},
		{"rule disabled", []string{"--config", filepath.Join(dir, "disabled.yaml")}, ExitOK, ""},
		{"boot time lowered", []string{"--config", filepath.Join(dir, "boot.yaml")}, ExitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			f.Registry = validate.DefaultRegistry
			code, stdout, stderr := run(t, f, append(args, tt.flags...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if tt.wantStderr == "" && strings.Contains(stderr, "liveness-kills-before-boot") {
				t.Errorf("stderr mentions the rule the file turns off:\n%s", stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr)
			}
			if (code == ExitOK) != strings.Contains(stdout, "livenessProbe") {
				t.Errorf("exit %d with stdout %q", code, stdout)
			}
		})
	}
}

// TestUsageHint: only usage errors point at --help.
func TestUsageHint(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		wantHint bool
	}{
		{"missing --into file", []string{"gen", "--watchdog", "reset", "--into", filepath.Join(dir, "missing.yaml")}, false},
		{"missing explain file", []string{"explain", filepath.Join(dir, "missing.yaml")}, false},
		{"missing configuration file", []string{"gen", "--watchdog", "reset", "--config", filepath.Join(dir, "missing.yaml")}, false},
		{"flag typo", []string{"gen", "--watchdgo", "reset"}, true},
		{"bad flag value", []string{"gen", "--watchdog", "poweroof"}, true},
		{"unknown command", []string{"lnit", "vm.yaml"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			code, _, stderr := run(t, f, tt.args...)
			if code != ExitError {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitError, stderr)
			}
			if got := strings.Contains(stderr, "--help' for usage."); got != tt.wantHint {
				t.Errorf("usage hint shown: %v, want %v; stderr:\n%s", got, tt.wantHint, stderr)
			}
		})
	}
}
