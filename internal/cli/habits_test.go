package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// kubectl's habits (issue 13): -f and -R, -v, -o json|yaml, an unknown
// completion shell, and "did you mean" for enum flags.

func TestNewCmdLintFilename(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		wantErr     string
		wantInputs  []string
		wantShallow map[string]bool
	}{
		{name: "-f repeated and comma-separated, after the arguments", args: []string{"a.yaml", "-f", "b.yaml", "--filename", "c.yaml,d"},
			wantInputs: []string{"a.yaml", "b.yaml", "c.yaml", "d"}, wantShallow: map[string]bool{"d": true, "a.yaml": false}},
		{name: "-R makes -f directories recursive", args: []string{"-f", "d", "-R"}, wantInputs: []string{"d"}, wantShallow: map[string]bool{"d": false}},
		{name: "an argument stays recursive", args: []string{"d"}, wantInputs: []string{"d"}, wantShallow: map[string]bool{"d": false}},
		{name: "the same directory as argument and -f is recursive", args: []string{"d", "-f", "d"}, wantInputs: []string{"d", "d"}, wantShallow: map[string]bool{"d": false}},
		{name: "-f - twice", args: []string{"-f", "-", "-"}, wantErr: "given 2 times"},
		{name: "-f with --cluster", args: []string{"--cluster", "-f", "vm.yaml"}, wantErr: "--cluster lints the cluster: give no paths (vm.yaml)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			var got *LintOptions
			cmd := NewCmdLint(f, func(_ context.Context, o *LintOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, append(tt.args, "--no-config"), tt.wantErr, func() bool { return got != nil }) {
				return
			}
			if !slices.Equal(got.Inputs, tt.wantInputs) {
				t.Errorf("Inputs = %q, want %q", got.Inputs, tt.wantInputs)
			}
			for dir, want := range tt.wantShallow {
				if is := got.shallowDir != nil && got.shallowDir(dir); is != want {
					t.Errorf("%s read one level deep: %v, want %v", dir, is, want)
				}
			}
		})
	}
}

// A tree with a clean VM at the top and a typo one level down: -f DIR
// reads only the top, as kubectl does; -R and a plain argument read both.
func TestLintFilenameDepth(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"top.yaml":      vm("top", "", ""),
		"sub/deep.yaml": vm("deep", "", typoSpec),
	})
	for _, tt := range []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "-f reads one level", args: []string{"-f", dir}, wantCode: ExitOK, want: "1 file, 1 object"},
		{name: "-f -R reads the tree", args: []string{"-f", dir, "-R"}, wantCode: ExitFindings, want: "2 files, 2 objects: 1 error"},
		{name: "-R before -f", args: []string{"-R", "--filename=" + dir}, wantCode: ExitFindings, want: "deep.yaml:17:9: error unknown-field"},
		{name: "an argument reads the tree", args: []string{dir}, wantCode: ExitFindings, want: "2 files, 2 objects"},
		{name: "-f of a file in the subdirectory", args: []string{"-f", filepath.Join(dir, "sub", "deep.yaml")}, wantCode: ExitFindings, want: "1 file, 1 object: 1 error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			code, stdout, stderr := run(t, f, append([]string{"lint", "--no-config"}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(stdout, tt.want) {
				t.Errorf("exit %d (want %d), stdout lacks %q:\n%s%s", code, tt.wantCode, tt.want, stdout, stderr)
			}
		})
	}

	// --fix edits what lint reads: without -R, not the file below.
	f, _, _, _ := testFactory(t)
	code, stdout, stderr := run(t, f, "lint", "--no-config", "--fix", "--diff", "-f", dir)
	if code != ExitOK || strings.Contains(stdout+stderr, "deep.yaml") {
		t.Errorf("--fix -f DIR went below DIR: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestLintFilenameStdin(t *testing.T) {
	f, stdin, _, _ := testFactory(t)
	stdin.WriteString(vm("piped", "", typoSpec))
	code, stdout, _ := run(t, f, "lint", "--no-config", "-f", "-")
	if code != ExitFindings || !strings.Contains(stdout, "-:17:9: error unknown-field") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

func TestExplainFilename(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"top.yaml":      vm("top", "", ""),
		"sub/deep.yaml": vm("deep", "", ""),
	})
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{args: []string{"-f", dir}, want: []string{"top.yaml"}},
		{args: []string{"-f", dir, "-R"}, want: []string{"sub/deep.yaml", "top.yaml"}},
		{args: []string{dir}, want: []string{"sub/deep.yaml", "top.yaml"}},
	} {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			code, stdout, stderr := run(t, f, append([]string{"explain", "--no-config", "-o", "json"}, tt.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var doc struct {
				Files []struct {
					File string `json:"file"`
				} `json:"files"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fl := range doc.Files {
				rel, _ := filepath.Rel(dir, fl.File)
				got = append(got, filepath.ToSlash(rel))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("files explained: %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVersionOutput(t *testing.T) {
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			code, stdout, stderr := run(t, f, "version", "-o", format)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var doc map[string]string
			if err := yaml.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("not %s: %v\n%s", format, err, stdout)
			}
			if doc["version"] != "devel" || !strings.HasPrefix(doc["goVersion"], "go") || !strings.Contains(doc["platform"], "/") || doc["kubevirtAPI"] != "unknown" {
				t.Errorf("version document %v", doc)
			}
		})
	}
	f, _, _, _ := testFactory(t)
	if code, stdout, stderr := run(t, f, "version", "-o", "jsn"); code != ExitError || stdout != "" || !strings.Contains(stderr, `did you mean "json"?`) {
		t.Errorf("-o jsn: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestRulesOutput(t *testing.T) {
	f, _, _, _ := testFactory(t)
	code, stdout, stderr := run(t, f, "rules", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var docs []ruleDoc
	if err := json.Unmarshal([]byte(stdout), &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(f.Registry.Rules()) {
		t.Errorf("%d rules listed, the registry has %d", len(docs), len(f.Registry.Rules()))
	}
	byID := map[string]ruleDoc{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	w := byID["test-warning"]
	if w.Severity.String() != "warning" || w.Category != "best-practice" || w.Summary != "A warning for tests." || w.Fix ||
		!strings.HasSuffix(w.Docs, "docs/rules.md#test-warning") {
		t.Errorf("test-warning: %+v", w)
	}
	fixable := 0
	for _, r := range f.Registry.Rules() {
		has := r.Fix != nil && r.Fix.Apply != nil
		if byID[r.ID].Fix != has {
			t.Errorf("%s: fix %v, the rule has a fix: %v", r.ID, byID[r.ID].Fix, has)
		}
		if has {
			fixable++
		}
	}
	if fixable == 0 {
		t.Error("no rule of the test registry has a fix: the fix column is untested")
	}

	f, _, _, _ = testFactory(t)
	code, stdout, _ = run(t, f, "rules", "-o", "yaml", "test-warning")
	var one map[string]any
	if err := yaml.Unmarshal([]byte(stdout), &one); code != ExitOK || err != nil || one["id"] != "test-warning" || one["severity"] != "warning" {
		t.Errorf("rules -o yaml test-warning: exit %d, %v\n%s", code, err, stdout)
	}
}

func TestCompletionUnknownShell(t *testing.T) {
	for _, tt := range []struct{ shell, want string }{
		{"tcsh", `unknown shell "tcsh" (one of: bash, fish, powershell, zsh)`},
		{"zhs", `did you mean "zsh"?`},
	} {
		f, _, _, _ := testFactory(t)
		code, stdout, stderr := run(t, f, "completion", tt.shell)
		if code != ExitError || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("completion %s: exit %d, stdout %d bytes\n%s", tt.shell, code, len(stdout), stderr)
		}
	}
	f, _, _, _ := testFactory(t)
	if code, stdout, _ := run(t, f, "completion", "bash"); code != ExitOK || !strings.Contains(stdout, "bash completion") {
		t.Errorf("completion bash: exit %d", code)
	}
}

// Every enum flag goes through invalidEnum: the list, and the value meant.
func TestEnumFlagSuggestions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"lint", "--arch", "x86_64", "vm.yaml"}, `invalid --arch "x86_64" (one of: amd64, arm64, s390x); did you mean "amd64"?`},
		{[]string{"lint", "--arch", "aarch64", "vm.yaml"}, `did you mean "arm64"?`},
		{[]string{"lint", "--fail-on", "warn", "vm.yaml"}, `invalid --fail-on "warn" (one of: error, warning, info); did you mean "warning"?`},
		{[]string{"lint", "--arch", "AMD64", "vm.yaml"}, `did you mean "amd64"?`},
		{[]string{"lint", "-o", "sarf", "vm.yaml"}, `did you mean "sarif"?`},
		{[]string{"explain", "-o", "jsno", "vm.yaml"}, `did you mean "json"?`},
		{[]string{"gen", "--watchdog", "reset", "-o", "yml"}, `did you mean "yaml"?`},
		{[]string{"gen", "--watchdog", "reset", "--for", "vmii"}, `did you mean "vmi"?`},
		{[]string{"policy", "-o", "jsn"}, `did you mean "json"?`},
		{[]string{"probe", "--probe", "readyness", "vm.yaml"}, `did you mean "readiness"?`},
		{[]string{"apply", "a", "--from", "s", "--dry-run=serve"}, `did you mean "server"?`},
		{[]string{"apply", "a", "--from", "s", "--strategy", "serverside"}, `did you mean "server-side"?`},
		{[]string{"apply", "a", "--from", "s", "--kind", "vmpol"}, `did you mean "vmpool"?`},
		{[]string{"rules", "-o", "yam"}, `did you mean "yaml"?`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			args := tt.args
			if !slices.Contains([]string{"rules", "probe"}, args[0]) {
				args = append(args, "--no-config")
			}
			code, stdout, stderr := run(t, f, args...)
			if code != ExitError || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr lacks %q:\n%s%s", code, tt.want, stdout, stderr)
			}
		})
	}
	if got := suggestValue("mips", architectures); got != "" {
		t.Errorf("mips: suggested %q, want nothing", got)
	}
}

// -v is kubectl's log level on every command; --version has no -v.
func TestVerbosityFlag(t *testing.T) {
	f, _, _, _ := testFactory(t)
	if code, stdout, stderr := run(t, f, "-v"); code != ExitError || stdout != "" || !strings.Contains(stderr, "flag needs an argument: 'v' in -v") {
		t.Errorf("vmhealth -v: exit %d\n%s%s", code, stdout, stderr)
	}
	f, _, _, _ = testFactory(t)
	if code, stdout, _ := run(t, f, "--version"); code != ExitOK || stdout != "vmhealth devel\n" {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
	for _, args := range [][]string{{"rules", "-v=3"}, {"rules", "--v", "8"}, {"-v", "2", "version"}} {
		f, _, _, _ = testFactory(t)
		if code, _, stderr := run(t, f, args...); code != ExitOK {
			t.Errorf("%q: exit %d: %s", args, code, stderr)
		}
	}
	f, _, _, _ = testFactory(t)
	var got *ApplyOptions
	cmd := NewCmdApply(f, func(_ context.Context, o *ApplyOptions) error { got = o; return nil })
	if parseOnly(t, f, cmd, []string{"web", "--from", "s", "--no-config", "-v=6"}, "", func() bool { return got != nil }) && got.Verbose != 6 {
		t.Errorf("apply -v=6: Verbose = %d", got.Verbose)
	}
}

func TestGenNamespaceShorthand(t *testing.T) {
	f, _, _, _ := testFactory(t)
	var got *GenOptions
	cmd := NewCmdGen(f, func(o *GenOptions) error { got = o; return nil })
	if parseOnly(t, f, cmd, []string{"--vm", "demo", "-n", "prod", "--watchdog", "reset", "--no-config"}, "", func() bool { return got != nil }) && got.Namespace != "prod" {
		t.Errorf("gen -n prod: Namespace = %q", got.Namespace)
	}
}

// lint --cluster logs at -v as apply does: where it connects, from 1.
func TestLintClusterVerbosity(t *testing.T) {
	connect, _ := fakeCluster(t, clusterVM("good", tcpReadiness))
	for _, tt := range []struct {
		args []string
		logs bool
	}{
		{args: []string{"--cluster", "--no-config"}, logs: false},
		{args: []string{"--cluster", "--no-config", "-v=6"}, logs: true},
		{args: []string{"--cluster", "--no-config", "--v", "1"}, logs: true},
	} {
		code, stdout, stderr := runLintCluster(t, connect, tt.args...)
		if code != ExitOK || strings.Contains(stderr, "vmhealth: using fake, namespace demo") != tt.logs {
			t.Errorf("%q: exit %d, logged %v\n%s%s", tt.args, code, !tt.logs, stdout, stderr)
		}
	}
}
