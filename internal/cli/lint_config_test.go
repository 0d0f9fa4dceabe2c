package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// inDir makes dir the working directory for the rest of the test, which
// is where the configuration file is looked for.
func inDir(t *testing.T, dir string) {
	t.Helper()
	t.Chdir(dir)
}

// TestLintConfig is the configuration matrix: each key of .vmhealth.yaml
// changes what lint reports and how it exits, flags win over the file, and
// a mistake in the file is an error naming the key.
func TestLintConfig(t *testing.T) {
	tests := []struct {
		name     string
		config   string
		args     []string // the manifest path is appended
		file     string   // manifest to lint, by name in the files below
		wantCode int
		wantOut  []string
		notOut   []string
		wantErr  []string
	}{
		{
			name: "no configuration", file: "typo.yaml", wantCode: ExitFindings,
			wantOut: []string{"error unknown-field"},
		},
		{
			name: "rule disabled", file: "typo.yaml", wantCode: ExitOK,
			config: "rules:\n  unknown-field:\n    enabled: false\n",
			notOut: []string{"unknown-field"}, wantOut: []string{"0 errors"},
		},
		{
			name: "rule enabled explicitly changes nothing", file: "typo.yaml", wantCode: ExitFindings,
			config:  "rules:\n  unknown-field:\n    enabled: true\n",
			wantOut: []string{"error unknown-field"},
		},
		{
			name: "severity lowered passes the run", file: "typo.yaml", wantCode: ExitOK,
			config:  "rules:\n  unknown-field:\n    severity: warning\n",
			wantOut: []string{"warning unknown-field", "0 errors, 1 warning"},
		},
		{
			name: "severity raised fails the run", file: "warn.yaml", wantCode: ExitFindings,
			config:  "rules:\n  test-warning:\n    severity: error\n",
			wantOut: []string{"error test-warning", "1 error, 0 warnings"},
		},
		{
			name: "failOn warning fails on a warning", file: "warn.yaml", wantCode: ExitFindings,
			config:  "failOn: warning\n",
			wantOut: []string{"warning test-warning"},
		},
		{
			name: "failOn info fails on info", file: "arch.yaml", wantCode: ExitFindings,
			config: "failOn: info\n",
		},
		{
			name: "--fail-on wins over failOn", file: "warn.yaml", wantCode: ExitOK,
			config: "failOn: warning\n", args: []string{"--fail-on", "error"},
		},
		{
			name: "architecture reaches the linter", file: "arch.yaml", wantCode: ExitOK,
			config: "architecture: arm64\n", wantOut: []string{"arch=arm64"},
		},
		{
			name: "--arch wins over architecture", file: "arch.yaml", wantCode: ExitOK,
			config: "architecture: arm64\n", args: []string{"--arch", "s390x"}, wantOut: []string{"arch=s390x"},
		},
		{
			name: "maxDocumentBytes applies", file: "typo.yaml", wantCode: ExitFindings,
			config: "maxDocumentBytes: 100\n", wantOut: []string{"document-too-large"},
		},
		{
			name: "--disable adds to the file's rules", file: "typo.yaml", wantCode: ExitOK,
			config: "rules:\n  test-warning:\n    enabled: false\n", args: []string{"--disable", "unknown-field"},
			notOut: []string{"unknown-field"},
		},
		{
			name: "ignored path is not reported", file: "vendor/typo.yaml", wantCode: ExitOK,
			config:  "ignore:\n  - vendor/**\n",
			notOut:  []string{"unknown-field"},
			wantOut: []string{"0 errors, 0 warnings, 0 info\n"},
		},
		{
			name: "path outside the ignore globs is reported", file: "typo.yaml", wantCode: ExitFindings,
			config: "ignore:\n  - vendor/**\n", wantOut: []string{"error unknown-field"},
		},
		{
			name: "unknown key rejected with its name", file: "typo.yaml", wantCode: ExitError,
			config:  "failOn: warning\nfialOn: info\n",
			wantErr: []string{`vmhealth: .vmhealth.yaml:2:1: unknown key "fialOn" (did you mean "failOn"?)`},
		},
		{
			name: "unknown rule rejected with a suggestion", file: "typo.yaml", wantCode: ExitError,
			config:  "rules:\n  unknown-feild:\n    enabled: false\n",
			wantErr: []string{`.vmhealth.yaml:2:3: rules.unknown-feild: unknown rule "unknown-feild" (did you mean "unknown-field"?)`},
		},
		{
			name: "bad value rejected with its key", file: "typo.yaml", wantCode: ExitError,
			config:  "failOn: sometimes\n",
			wantErr: []string{`.vmhealth.yaml:1:9: failOn: "sometimes" is not a severity`},
		},
		{
			name: "--no-config reads no file", file: "typo.yaml", wantCode: ExitFindings,
			config: "fialOn: broken\n", args: []string{"--no-config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"typo.yaml":        vm("typo", "", typoSpec),
				"warn.yaml":        vm("warn", warnLabel, ""),
				"arch.yaml":        vm("arch", archLabel, ""),
				"vendor/typo.yaml": vm("typo", "", typoSpec),
			}
			if tt.config != "" {
				files[".vmhealth.yaml"] = tt.config
			}
			writeFiles(t, dir, files)
			inDir(t, dir)
			f, _, _, _ := testFactory(t)
			args := append(append([]string{"lint"}, tt.args...), filepath.Join(dir, filepath.FromSlash(tt.file)))
			code, stdout, stderr := run(t, f, args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.notOut {
				if strings.Contains(stdout, w) {
					t.Errorf("stdout has %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if tt.wantErr == nil && stderr != "" {
				t.Errorf("unexpected stderr:\n%s", stderr)
			}
		})
	}
}

// The file is found in a parent of the working directory, or named with
// --config.
func TestLintConfigDiscovery(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".vmhealth.yaml":            "failOn: warning\n",
		"sub/deeper/warn.yaml":      vm("warn", warnLabel, ""),
		"elsewhere/strict.yaml":     "failOn: info\n",
		"elsewhere/arch-check.yaml": vm("arch", archLabel, ""),
	})
	warn := filepath.Join(dir, "sub", "deeper", "warn.yaml")
	inDir(t, filepath.Join(dir, "sub", "deeper"))

	f, _, _, _ := testFactory(t)
	if code, out, errOut := run(t, f, "lint", warn); code != ExitFindings {
		t.Errorf("configuration in a parent not applied: exit %d\n%s%s", code, out, errOut)
	}
	f, _, _, _ = testFactory(t)
	arch := filepath.Join(dir, "elsewhere", "arch-check.yaml")
	if code, out, errOut := run(t, f, "lint", "--config", filepath.Join(dir, "elsewhere", "strict.yaml"), arch); code != ExitFindings {
		t.Errorf("--config not applied: exit %d\n%s%s", code, out, errOut)
	}
	f, _, _, _ = testFactory(t)
	code, _, errOut := run(t, f, "lint", "--config", filepath.Join(dir, "missing.yaml"), arch)
	if code != ExitError || !strings.Contains(errOut, "reading configuration") {
		t.Errorf("missing --config: exit %d, stderr %q", code, errOut)
	}
	f, _, _, _ = testFactory(t)
	code, _, errOut = run(t, f, "lint", "--config", "a.yaml", "--no-config", arch)
	if code != ExitError || !strings.Contains(errOut, "none of the others can be") {
		t.Errorf("--config with --no-config: exit %d, stderr %q", code, errOut)
	}
}

func TestNewCmdLintCIFlags(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{".vmhealth.yaml": "minBootSeconds: 300\nmaxDocumentBytes: 1Mi\n"})
	type ciFlags struct {
		MinBootSeconds          int
		NoConfig                bool
		Baseline, BaselineWrite string
	}
	tests := []struct {
		name    string
		args    []string
		want    ciFlags // only the flag fields are compared
		maxDoc  int64
		wantErr string
	}{
		{name: "defaults from the file", args: []string{"vm.yaml"}, want: ciFlags{MinBootSeconds: 300}, maxDoc: 1 << 20},
		{name: "flags win", args: []string{"--min-boot-seconds", "90", "--max-document-bytes", "2Mi", "vm.yaml"}, want: ciFlags{MinBootSeconds: 90}, maxDoc: 2 << 20},
		{name: "baseline flags", args: []string{"--baseline", "b.json", "--baseline-write", "c.json", "vm.yaml"},
			want: ciFlags{MinBootSeconds: 300, Baseline: "b.json", BaselineWrite: "c.json"}, maxDoc: 1 << 20},
		{name: "no-config", args: []string{"--no-config", "vm.yaml"}, want: ciFlags{MinBootSeconds: 60, NoConfig: true}, maxDoc: 16 << 20},
		{name: "zero boot time", args: []string{"--min-boot-seconds", "0", "vm.yaml"}, wantErr: "invalid --min-boot-seconds 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inDir(t, dir)
			f, _, _, _ := testFactory(t)
			var got *LintOptions
			cmd := NewCmdLint(f, func(_ context.Context, o *LintOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			flags := ciFlags{MinBootSeconds: got.MinBootSeconds, NoConfig: got.NoConfig, Baseline: got.Baseline, BaselineWrite: got.BaselineWrite}
			if !reflect.DeepEqual(flags, tt.want) {
				t.Errorf("options = %+v, want %+v", flags, tt.want)
			}
			if got.MaxDocumentBytes != tt.maxDoc {
				t.Errorf("MaxDocumentBytes = %d, want %d", got.MaxDocumentBytes, tt.maxDoc)
			}
		})
	}
}

// TestLintBaselineRoundTrip: write a baseline, then add one new problem
// and move an old one down by ten lines; only the new one fails the run.
func TestLintBaselineRoundTrip(t *testing.T) {
	dir := t.TempDir()
	inDir(t, dir)
	manifest := filepath.Join(dir, "vm.yaml")
	base := filepath.Join(dir, ".vmhealth-baseline.json")
	old := vm("web", warnLabel, typoSpec)
	writeFiles(t, dir, map[string]string{"vm.yaml": old})

	f, _, _, _ := testFactory(t)
	code, out, errOut := run(t, f, "lint", "--fail-on", "warning", "--baseline-write", base, manifest)
	if code != ExitOK || !strings.Contains(errOut, "recorded 2 findings in "+base) || !strings.Contains(out, "(2 suppressed)") {
		t.Fatalf("writing the baseline: exit %d\n%s%s", code, out, errOut)
	}

	// Ten lines above the typo, and a new typo below it.
	moved := strings.Replace(old, "      readinessProbe:\n", strings.Repeat("      # unrelated\n", 10)+"      readinessProbe:\n", 1) +
		"        timeoutSecond: 1\n"
	writeFiles(t, dir, map[string]string{"vm.yaml": moved})

	f, _, _, _ = testFactory(t)
	code, out, errOut = run(t, f, "lint", "--fail-on", "warning", "--baseline", base, manifest)
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1 for the new finding\n%s%s", code, out, errOut)
	}
	if strings.Count(out, "unknown-field") != 1 || !strings.Contains(out, "error unknown-field: unknown field \"timeoutSecond\"") {
		t.Errorf("want only the new typo reported:\n%s", out)
	}
	if strings.Contains(out, "test-warning") || !strings.Contains(out, "(2 suppressed)") {
		t.Errorf("old findings not accepted:\n%s", out)
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}

	// JSON shows the accepted ones as suppressed by the baseline.
	f, _, _, _ = testFactory(t)
	_, out, _ = run(t, f, "lint", "-o", "json", "--baseline", base, manifest)
	var doc struct {
		Findings []struct {
			Rule       string
			Line       int
			Suppressed *validate.Suppression
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, fi := range doc.Findings {
		if fi.Suppressed != nil {
			kinds[fi.Suppressed.Kind]++
		}
	}
	if kinds["baseline"] != 2 || len(doc.Findings) != 3 {
		t.Errorf("JSON findings = %+v", doc.Findings)
	}

	// Fixing a problem leaves a baseline entry unmatched, which is said.
	writeFiles(t, dir, map[string]string{"vm.yaml": vm("web", "", "")})
	f, _, _, _ = testFactory(t)
	code, _, errOut = run(t, f, "lint", "--baseline", base, manifest)
	if code != ExitOK || !strings.Contains(errOut, "2 of the 2 findings in "+base+" are no longer found") {
		t.Errorf("after fixing: exit %d, stderr %q", code, errOut)
	}
}

func TestLintBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	inDir(t, dir)
	writeFiles(t, dir, map[string]string{"vm.yaml": vm("web", "", ""), "bad.json": "{}"})
	tests := []struct {
		name, file, want string
	}{
		{name: "missing", file: "nope.json", want: "does not exist (write one with --baseline-write)"},
		{name: "not a baseline", file: "bad.json", want: "version 0 is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			code, _, errOut := run(t, f, "lint", "--baseline", filepath.Join(dir, tt.file), filepath.Join(dir, "vm.yaml"))
			if code != ExitError || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want 2 and %q", code, errOut, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.json")); err == nil {
		t.Errorf("--baseline created the file")
	}
}
