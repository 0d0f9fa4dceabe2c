package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

func TestNewCmdLint(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdinTTY bool
		want     LintOptions // only the flag fields are compared
		wantErr  string
	}{
		{
			name: "defaults",
			args: []string{"vm.yaml"},
			want: LintOptions{Inputs: []string{"vm.yaml"}, Output: "text", FailOn: validate.SeverityError, MaxDocumentBytes: 16 << 20, linterConfig: linterConfig{Arch: "amd64"}},
		},
		{
			name: "every flag",
			args: []string{"-o", "json", "--fail-on", "warning", "--no-color", "-q", "--arch", "s390x",
				"--max-document-bytes", "512Ki", "--disable", "unknown-field", "--disable", "duplicate-key,invalid-type", "a.yaml", "dir/"},
			want: LintOptions{Inputs: []string{"a.yaml", "dir/"}, Output: "json", FailOn: validate.SeverityWarning, NoColor: true, Quiet: true,
				MaxDocumentBytes: 512 << 10, linterConfig: linterConfig{Arch: "s390x", Disable: []string{"unknown-field", "duplicate-key", "invalid-type"}}},
		},
		{
			name: "fail-on is case-insensitive",
			args: []string{"--fail-on", "INFO", "vm.yaml"},
			want: LintOptions{Inputs: []string{"vm.yaml"}, Output: "text", FailOn: validate.SeverityInfo, MaxDocumentBytes: 16 << 20, linterConfig: linterConfig{Arch: "amd64"}},
		},
		{
			name: "no args with piped stdin reads stdin",
			want: LintOptions{Inputs: []string{"-"}, Output: "text", FailOn: validate.SeverityError, MaxDocumentBytes: 16 << 20, linterConfig: linterConfig{Arch: "amd64"}},
		},
		{
			name: "explicit stdin",
			args: []string{"-", "vm.yaml"},
			want: LintOptions{Inputs: []string{"-", "vm.yaml"}, Output: "text", FailOn: validate.SeverityError, MaxDocumentBytes: 16 << 20, linterConfig: linterConfig{Arch: "amd64"}},
		},
		{name: "no args on a terminal", stdinTTY: true, wantErr: "nothing to lint"},
		{name: "stdin twice", args: []string{"-", "-"}, wantErr: "read only once"},
		{name: "unknown output", args: []string{"-o", "yaml", "vm.yaml"}, wantErr: `invalid --output "yaml"`},
		{name: "unknown severity", args: []string{"--fail-on", "fatal", "vm.yaml"}, wantErr: "invalid --fail-on"},
		{name: "unknown arch", args: []string{"--arch", "x86_64", "vm.yaml"}, wantErr: `invalid --arch "x86_64"`},
		{name: "bad size", args: []string{"--max-document-bytes", "lots", "vm.yaml"}, wantErr: "not a size in bytes"},
		{name: "zero size", args: []string{"--max-document-bytes", "0", "vm.yaml"}, wantErr: "not a positive whole number"},
		{name: "unknown rule", args: []string{"--disable", "unknown-feild", "vm.yaml"}, wantErr: `unknown rule "unknown-feild"; did you mean "unknown-field"?`},
		{name: "unknown flag", args: []string{"--colour", "vm.yaml"}, wantErr: "unknown flag: --colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			f.IOStreams.SetStdinTTY(tt.stdinTTY)
			var got *LintOptions
			cmd := NewCmdLint(f, func(_ context.Context, o *LintOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			flags := func(o LintOptions) LintOptions {
				return LintOptions{Inputs: o.Inputs, Output: o.Output, FailOn: o.FailOn, NoColor: o.NoColor, Quiet: o.Quiet,
					MaxDocumentBytes: o.MaxDocumentBytes, linterConfig: linterConfig{Arch: o.Arch, Disable: o.Disable}}
			}
			if !reflect.DeepEqual(flags(*got), tt.want) {
				t.Errorf("options =\n%+v\nwant\n%+v", flags(*got), tt.want)
			}
		})
	}
}

func TestLintRun(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"clean.yaml": vm("clean", "", ""),
		"typo.yaml":  vm("typo", "", typoSpec),
		"warn.yaml":  vm("warn", warnLabel, ""),
		"arch.yaml":  vm("arch", archLabel, ""),
		"suppressed.yaml": vm("quiet", "  annotations:\n    vmhealth.io/ignore: unknown-field\n    vmhealth.io/ignore-reason: tested elsewhere\n",
			typoSpec),
		"tree/a.yaml":          vm("a", "", ""),
		"tree/nested/b.yml":    vm("b", "", typoSpec),
		"tree/nested/c.json":   `{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "c"}, "spec": {}}`,
		"tree/notes.txt":       "not a manifest",
		"tree/.hidden/x.yaml":  vm("hidden", "", typoSpec),
		"empty/README.md":      "nothing to lint here",
		"syntax.yaml":          "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n\tname: tab\n",
		"multi/two-docs.yaml":  vm("one", "", "") + "---\n" + vm("two", warnLabel, ""),
		"service-and-vm.yaml":  "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\n" + vm("behind", "", ""),
		"template-param.yaml":  templateWithParam,
		"unknown-kind.yaml":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		"dir-with-typo/x.yaml": vm("x", "", typoSpec),
		"blank.yaml":           "",
		"with-blank/a.yaml":    vm("a", "", ""),
		"with-blank/blank.yml": "",
	})
	p := func(name string) string { return filepath.Join(dir, name) }

	tests := []struct {
		name       string
		args       []string
		stdin      string
		stdinTTY   bool
		stdoutTTY  bool
		env        map[string]string
		wantCode   int
		wantOut    []string // substrings of stdout
		notOut     []string // must not be in stdout
		wantErrOut []string // substrings of stderr
		wantNoErr  bool     // stderr must be empty
	}{
		{
			name: "clean file", args: []string{p("clean.yaml")}, wantCode: ExitOK, wantNoErr: true,
			wantOut: []string{"1 file, 1 object: 0 errors, 0 warnings, 0 info\n"},
		},
		{
			name: "error finding with position", args: []string{p("typo.yaml")}, wantCode: ExitFindings, wantNoErr: true,
			wantOut: []string{
				p("typo.yaml") + `:17:9: error unknown-field: unknown field "periodSecond"`,
				"  object: VirtualMachine/demo/typo  field: spec.template.spec.readinessProbe.periodSecond\n",
				"  fix: ",
				"1 file, 1 object: 1 error, 0 warnings, 0 info\n",
			},
		},
		{
			name: "warning passes the default fail-on", args: []string{p("warn.yaml")}, wantCode: ExitOK,
			wantOut: []string{"warning test-warning: test warning", "0 errors, 1 warning, 0 info"},
		},
		{
			name: "warning fails --fail-on warning", args: []string{"--fail-on", "warning", p("warn.yaml")}, wantCode: ExitFindings,
			wantOut: []string{"warning test-warning"},
		},
		{
			name: "info fails only --fail-on info", args: []string{"--fail-on", "warning", p("arch.yaml")}, wantCode: ExitOK,
			wantOut: []string{"info test-arch: arch=amd64"},
		},
		{
			name: "info fails --fail-on info", args: []string{"--fail-on", "info", p("arch.yaml")}, wantCode: ExitFindings,
		},
		{
			name: "arch reaches the linter", args: []string{"--arch", "arm64", p("arch.yaml")}, wantCode: ExitOK,
			wantOut: []string{"arch=arm64"},
		},
		{
			name: "quiet hides findings below fail-on and the summary", args: []string{"-q", p("warn.yaml"), p("arch.yaml")}, wantCode: ExitOK,
			notOut: []string{"test-warning", "test-arch", "object"}, wantNoErr: true,
		},
		{
			name: "quiet keeps findings at fail-on", args: []string{"-q", "--fail-on", "warning", p("warn.yaml"), p("arch.yaml")}, wantCode: ExitFindings,
			wantOut: []string{"warning test-warning"}, notOut: []string{"test-arch", "objects:", "1 warning"},
		},
		{
			name: "suppressed findings are hidden and counted", args: []string{p("suppressed.yaml")}, wantCode: ExitOK,
			wantOut: []string{"0 errors, 0 warnings, 0 info (1 suppressed)"}, notOut: []string{"unknown-field"},
		},
		{
			name: "disabled rule", args: []string{"--disable", "unknown-field", p("typo.yaml")}, wantCode: ExitOK,
			notOut: []string{"unknown-field"}, wantOut: []string{"0 errors"},
		},
		{
			name: "directory walked recursively", args: []string{p("tree")}, wantCode: ExitFindings,
			wantOut: []string{
				filepath.Join("tree", "nested", "b.yml") + ":17:9: error unknown-field",
				"3 files, 3 objects: 1 error",
			},
			notOut: []string{"hidden", "notes.txt"},
		},
		{
			name: "multi-document file", args: []string{p("multi/two-docs.yaml")}, wantCode: ExitOK,
			wantOut: []string{"two-docs.yaml:21:5: warning test-warning", "object: VirtualMachine/demo/two", "1 file, 2 objects"},
		},
		{
			name: "other kinds are skipped", args: []string{p("service-and-vm.yaml"), p("unknown-kind.yaml")}, wantCode: ExitOK,
			wantOut: []string{"2 files, 1 object: 0 errors"},
		},
		{
			name: "yaml syntax error", args: []string{p("syntax.yaml")}, wantCode: ExitFindings,
			wantOut: []string{"syntax.yaml:4:", "error yaml-syntax"},
		},
		{
			name: "template parameter is info", args: []string{p("template-param.yaml")}, wantCode: ExitOK,
			wantOut: []string{"info template-parameter", "(objects[0])", "0 errors, 0 warnings, 1 info"},
		},
		{
			name: "unreadable input: exit 2, the rest still reported", args: []string{p("missing.yaml"), p("typo.yaml")}, wantCode: ExitError,
			wantOut:    []string{"typo.yaml:17:9: error unknown-field", "1 file, 1 object: 1 error, 0 warnings, 0 info; 1 input could not be read"},
			wantErrOut: []string{"vmhealth: " + p("missing.yaml") + ": no such file or directory"},
		},
		{
			name: "directory without manifests", args: []string{p("empty")}, wantCode: ExitError,
			wantErrOut: []string{"no .yaml, .yml or .json files found in " + p("empty")},
		},
		{
			name: "piped stdin", stdin: vm("piped", "", typoSpec), wantCode: ExitFindings,
			wantOut: []string{"-:17:9: error unknown-field", "1 file, 1 object"},
		},
		{
			name: "explicit stdin with files", args: []string{p("clean.yaml"), "-"}, stdin: vm("piped", warnLabel, ""), wantCode: ExitOK,
			wantOut: []string{"-:7:5: warning test-warning", "2 files, 2 objects"},
		},
		{
			name: "empty piped stdin", wantCode: ExitError,
			wantErrOut: []string{"standard input was empty"},
		},
		{
			// As an empty named file: `helm template … | vmhealth lint -`
			// must not pass when helm printed nothing.
			name: "explicit empty stdin is an input error", args: []string{"-"}, wantCode: ExitError,
		},
		{
			// An empty file named on the command line is an input error,
			// as empty standard input is; the others are still linted.
			name: "empty named file", args: []string{p("blank.yaml"), p("typo.yaml")}, wantCode: ExitError,
			wantOut:    []string{"typo.yaml:17:9: error unknown-field", "1 input could not be read"},
			wantErrOut: []string{"vmhealth: " + p("blank.yaml") + ": the file is empty"},
		},
		{
			name: "empty named file with -f", args: []string{"-f", p("blank.yaml")}, wantCode: ExitError,
			wantErrOut: []string{p("blank.yaml") + ": the file is empty"},
		},
		{
			name: "empty file inside a directory is fine", args: []string{p("with-blank")}, wantCode: ExitOK,
			wantOut: []string{"2 files, 1 object: 0 errors"}, notOut: []string{"empty"},
		},
		{
			name: "no input on a terminal", stdinTTY: true, wantCode: ExitError,
			wantErrOut: []string{"nothing to lint", "Run 'vmhealth lint --help' for usage."},
		},
		{
			name: "flag error exits 2", args: []string{"--fail-on"}, wantCode: ExitError,
			wantErrOut: []string{"flag needs an argument: --fail-on"},
		},
		{
			name: "colour on a terminal", args: []string{p("typo.yaml")}, stdoutTTY: true, wantCode: ExitFindings,
			wantOut: []string{"\x1b["},
		},
		{
			name: "NO_COLOR turns colour off", args: []string{p("typo.yaml")}, stdoutTTY: true, env: map[string]string{"NO_COLOR": "1"},
			wantCode: ExitFindings, notOut: []string{"\x1b"},
		},
		{
			name: "--no-color turns colour off", args: []string{"--no-color", p("typo.yaml")}, stdoutTTY: true,
			wantCode: ExitFindings, notOut: []string{"\x1b"},
		},
		{
			name: "no colour when stdout is not a terminal", args: []string{p("typo.yaml")},
			wantCode: ExitFindings, notOut: []string{"\x1b"},
		},
		{
			name: "document over the size cap", args: []string{"--max-document-bytes", "100", p("clean.yaml")}, wantCode: ExitFindings,
			wantOut: []string{"clean.yaml:1:1: error document-too-large"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdin, _, _ := testFactory(t)
			stdin.WriteString(tt.stdin)
			f.IOStreams.SetStdinTTY(tt.stdinTTY)
			f.IOStreams.SetStdoutTTY(tt.stdoutTTY)
			f.Getenv = func(k string) string { return tt.env[k] }
			code, stdout, stderr := run(t, f, append([]string{"lint"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q", s)
				}
			}
			for _, s := range tt.notOut {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout has %q", s)
				}
			}
			for _, s := range tt.wantErrOut {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q", s)
				}
			}
			if tt.wantNoErr && stderr != "" {
				t.Errorf("stderr not empty")
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			}
		})
	}
}

// The document-too-large rule is outside the test registry, so the test
// above also shows that findings of unregistered rules still come through.

func TestLintJSON(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"typo.yaml": vm("typo", "", typoSpec),
		"suppressed.yaml": vm("quiet", "  annotations:\n    vmhealth.io/ignore: unknown-field\n    vmhealth.io/ignore-reason: tested elsewhere\n",
			typoSpec),
	})
	f, _, _, _ := testFactory(t)
	code, stdout, stderr := run(t, f, "lint", "-o", "json", dir, filepath.Join(dir, "missing.yaml"))
	if code != ExitError {
		t.Errorf("exit code = %d, want %d (an input is missing)", code, ExitError)
	}
	var doc struct {
		Version  int `json:"version"`
		Findings []struct {
			Rule       string `json:"rule"`
			Severity   string `json:"severity"`
			File       string `json:"file"`
			Line       int    `json:"line"`
			Column     int    `json:"column"`
			Suppressed *struct {
				Kind          string `json:"kind"`
				Justification string `json:"justification"`
			} `json:"suppressed"`
		} `json:"findings"`
		Summary struct {
			Files       int            `json:"files"`
			Objects     int            `json:"objects"`
			Findings    map[string]int `json:"findings"`
			Suppressed  int            `json:"suppressed"`
			InputErrors []struct {
				File  string `json:"file"`
				Error string `json:"error"`
			} `json:"inputErrors"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if doc.Version != 1 {
		t.Errorf("version = %d, want 1", doc.Version)
	}
	if len(doc.Findings) != 2 {
		t.Fatalf("got %d findings, want 2 (one suppressed):\n%s", len(doc.Findings), stdout)
	}
	first, second := doc.Findings[0], doc.Findings[1]
	if first.File != filepath.Join(dir, "suppressed.yaml") || first.Suppressed == nil || first.Suppressed.Justification != "tested elsewhere" {
		t.Errorf("first finding = %+v, want the suppressed one with its reason", first)
	}
	if second.Rule != "unknown-field" || second.Severity != "error" || second.Line != 17 || second.Column != 9 || second.Suppressed != nil {
		t.Errorf("second finding = %+v", second)
	}
	s := doc.Summary
	if s.Files != 2 || s.Objects != 2 || s.Findings["error"] != 1 || s.Suppressed != 1 || len(s.InputErrors) != 1 {
		t.Errorf("summary = %+v", s)
	}
	if !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("stderr lacks the input error: %q", stderr)
	}
}

const templateWithParam = `apiVersion: template.openshift.io/v1
kind: Template
metadata:
  name: fedora
parameters:
  - name: CORES
objects:
  - apiVersion: kubevirt.io/v1
    kind: VirtualMachine
    metadata:
      name: vm
    spec:
      template:
        spec:
          domain:
            cpu:
              cores: ${{CORES}}
            memory:
              guest: 1Gi
            devices: {}
`
