package cli

import (
	"encoding/json"
	"github.com/vmhealth/vmhealth/validate"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestNewCmdExplain(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdinTTY bool
		want     ExplainOptions
		wantErr  string
	}{
		{name: "defaults", args: []string{"vm.yaml"}, want: ExplainOptions{Inputs: []string{"vm.yaml"}, Output: "text", linterConfig: linterConfig{Arch: "amd64", MinBootSeconds: 60}}},
		{name: "every flag", args: []string{"-o", "json", "--arch", "s390x", "--min-boot-seconds", "120", "a.yaml", "-"},
			want: ExplainOptions{Inputs: []string{"a.yaml", "-"}, Output: "json", linterConfig: linterConfig{Arch: "s390x", MinBootSeconds: 120}}},
		{name: "piped stdin", want: ExplainOptions{Inputs: []string{"-"}, Output: "text", linterConfig: linterConfig{Arch: "amd64", MinBootSeconds: 60}}},
		{name: "zero boot time", args: []string{"--min-boot-seconds", "0", "a.yaml"}, wantErr: "invalid --min-boot-seconds 0"},
		{name: "nothing on a terminal", stdinTTY: true, wantErr: "nothing to explain"},
		{name: "stdin twice", args: []string{"-", "-"}, wantErr: "read only once"},
		{name: "bad output", args: []string{"-o", "yaml", "a.yaml"}, wantErr: `invalid --output "yaml"`},
		{name: "bad arch", args: []string{"--arch", "mips", "a.yaml"}, wantErr: `invalid --arch "mips"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			f.IOStreams.SetStdinTTY(tt.stdinTTY)
			var got *ExplainOptions
			cmd := NewCmdExplain(f, func(o *ExplainOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			got.IO, got.Registry = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// TestExplainRun explains the documentation's examples, as text and as
// JSON, and compares with golden files.
func TestExplainRun(t *testing.T) {
	in := filepath.Join("..", "..", "explain", "testdata", "seed-examples.yaml")
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			f.Registry = validate.DefaultRegistry // the golden files show every rule's findings
			code, stdout, stderr := run(t, f, "explain", "-o", format, in)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			stdout = strings.ReplaceAll(stdout, in, "seed-examples.yaml")
			assertGolden(t, "explain/seed-examples."+format, []byte(stdout))
			if format == "json" {
				var doc map[string]any
				if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
			}
		})
	}
}

func TestExplainStdinAndErrors(t *testing.T) {
	f, stdin, _, _ := testFactory(t)
	stdin.WriteString(vm("piped", "", "      livenessProbe:\n        guestAgentPing: {}\n        initialDelaySeconds: 120\n"))
	code, stdout, stderr := run(t, f, "explain", "-")
	if code != ExitOK || !strings.Contains(stdout, "VirtualMachine demo/piped  (-:1, runStrategy Always)") ||
		!strings.Contains(stdout, "+1 s through qemu-guest-agent") {
		t.Errorf("stdin: exit %d\n%s\n%s", code, stdout, stderr)
	}

	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"ok.yaml": vm("ok", "", ""), "empty/README.md": "no manifests"})
	f, _, _, _ = testFactory(t)
	code, stdout, stderr = run(t, f, "explain", filepath.Join(dir, "missing.yaml"), filepath.Join(dir, "ok.yaml"), filepath.Join(dir, "empty"))
	if code != ExitError {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr, "missing.yaml: no such file") || !strings.Contains(stderr, "empty: no .yaml, .yml or .json files in this directory") {
		t.Errorf("stderr %q", stderr)
	}
	if !strings.Contains(stdout, "VirtualMachine demo/ok") {
		t.Errorf("the readable file was not explained:\n%s", stdout)
	}
}
