package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// fixFactory is a test factory that lints with every rule, as --fix users do.
func fixFactory(t *testing.T) *Factory {
	f, _, _, _ := testFactory(t)
	f.Registry = validate.DefaultRegistry
	return f
}

func TestLintFix(t *testing.T) {
	src := filepath.Join("..", "..", "validate", "testdata", "fix", "web.yaml")
	broken, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(strings.TrimSuffix(src, ".yaml") + ".fixed")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("in place", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"vms/web.yaml": string(broken)})
		code, stdout, stderr := run(t, fixFactory(t), "lint", "--fix", dir)
		if code != 1 {
			t.Errorf("exit %d, want 1 (ambiguous findings remain); stderr %s", code, stderr)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "vms", "web.yaml"))
		if string(got) != string(want) {
			t.Errorf("fixed file:\n%s\nwant:\n%s", got, want)
		}
		for _, s := range []string{"fixed unknown-field: renamed periodSecond to periodSeconds", "5 fixed; remaining findings:", `unknown field "xyz"`} {
			if !strings.Contains(stdout, s) {
				t.Errorf("stdout lacks %q:\n%s", s, stdout)
			}
		}
		if strings.Contains(stdout, `"periodSecond"`) {
			t.Errorf("the fixed finding is still reported:\n%s", stdout)
		}
	})

	t.Run("diff leaves the file alone", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"web.yaml": string(broken)})
		p := filepath.Join(dir, "web.yaml")
		_, stdout, _ := run(t, fixFactory(t), "lint", "--fix", "--diff", p)
		got, _ := os.ReadFile(p)
		if string(got) != string(broken) {
			t.Error("--diff changed the file")
		}
		for _, s := range []string{"-        periodSecond: 10   # typo kept on purpose?\n", "+        periodSeconds: 10   # typo kept on purpose?\n", "-        successThreshold: 3"} {
			if !strings.Contains(stdout, s) {
				t.Errorf("diff lacks %q:\n%s", s, stdout)
			}
		}
	})

	t.Run("stdin to stdout", func(t *testing.T) {
		f := fixFactory(t)
		f.IOStreams.In.(interface{ WriteString(string) (int, error) }).WriteString(string(broken))
		_, stdout, stderr := run(t, f, "lint", "--fix", "-")
		if stdout != string(want) {
			t.Errorf("stdout is not the fixed stream:\n%s", stdout)
		}
		if !strings.Contains(stderr, "5 fixed") {
			t.Errorf("stderr lacks the report:\n%s", stderr)
		}
	})

	t.Run("refuses a chart", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"Chart.yaml": "name: c\n", "templates/vm.yaml": "name: {{ .Values.name }}\n"})
		code, _, stderr := run(t, fixFactory(t), "lint", "--fix", dir)
		if code != 2 || !strings.Contains(stderr, "is a Helm chart") {
			t.Errorf("exit %d, stderr %q; want 2 and the reason", code, stderr)
		}
	})

	t.Run("diff needs fix", func(t *testing.T) {
		code, _, stderr := run(t, fixFactory(t), "lint", "--diff", "x.yaml")
		if code != 2 || !strings.Contains(stderr, "--diff shows what --fix would change") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}
