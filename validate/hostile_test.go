package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileInputs is the table behind docs/robustness.md: each hostile or
// broken input, what vmhealth does with it, and that the document after it is
// still linted (every input ends with a VM carrying a misspelled field).
func TestHostileInputs(t *testing.T) {
	const after = "---\napiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: after}\nspec:\n  template:\n    spec:\n      livenesProbe: {}\n"
	deep := strings.Repeat("[", 12000) + strings.Repeat("]", 12000)
	deepMap := "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: deep\n  labels: " + strings.Repeat("{a: ", 300) + "x" + strings.Repeat("}", 300) + "\n"
	tests := []struct {
		name string
		in   string
		// rule is expected among the findings (empty: no finding but the
		// one of the document after).
		rule string
		line int
	}{
		{name: "empty file", in: ""},
		{name: "only comments", in: "# nothing here\n# at all\n"},
		{name: "NUL bytes", in: "apiVersion: v1\x00\x00\nkind: x\n", rule: YAMLSyntaxRuleID, line: 1},
		{name: "binary garbage", in: "\x7fELF\x02\x01\x01\x00\x00\x00\x00", rule: YAMLSyntaxRuleID, line: 1},
		{name: "invalid UTF-8", in: "apiVersion: v1\nkind: \xc3\x28\n", rule: YAMLSyntaxRuleID, line: 2},
		{name: "byte order mark", in: "\ufeffapiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: bom}\nspec: {runStrategy: Halted, runStrateg: x}\n", rule: UnknownFieldRuleID, line: 4},
		{name: "CRLF line endings", in: "apiVersion: kubevirt.io/v1\r\nkind: VirtualMachine\r\nmetadata: {name: crlf}\r\nspec:\r\n  runStrateg: Halted\r\n", rule: UnknownFieldRuleID, line: 5},
		{name: "alias bomb", in: "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"},
		{name: "deep flow nesting", in: deep + "\n", rule: YAMLSyntaxRuleID, line: 1},
		{name: "deep mapping nesting", in: deepMap, rule: InvalidTypeRuleID, line: 5},
		{name: "duplicate keys", in: "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: dup}\nspec:\n  runStrategy: Always\n  runStrategy: Halted\n", rule: DuplicateKeyRuleID, line: 6},
		{name: "int32 overflow", in: "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: big}\nspec:\n  readinessProbe:\n    periodSeconds: 99999999999\n", rule: InvalidTypeRuleID, line: 6},
		{name: "number as string", in: "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: s}\nspec:\n  readinessProbe:\n    periodSeconds: \"20\"\n", rule: InvalidTypeRuleID, line: 6},
		{name: "YAML 1.1 boolean", in: "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: y}\nspec:\n  running: yes\n", rule: AmbiguousValueRuleID, line: 5},
		{name: "octal-looking number", in: "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: o}\nspec:\n  readinessProbe:\n    periodSeconds: 0700\n", rule: AmbiguousValueRuleID, line: 6},
		{name: "a scalar document", in: "just a string\n"},
		{name: "a list document", in: "- a\n- b\n"},
		{name: "tabs for indentation", in: "apiVersion: v1\nkind: List\nitems:\n\t- a\n", rule: YAMLSyntaxRuleID, line: 4},
		{name: "unterminated quote", in: "apiVersion: v1\nkind: \"x\nmetadata: {}\n", rule: YAMLSyntaxRuleID, line: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in + "\n" + after
			done := make(chan []Finding, 1)
			go func() {
				f, _ := MustNew(Options{}).LintBytes("in.yaml", []byte(in))
				done <- f
			}()
			var findings []Finding
			select {
			case findings = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("hung")
			}
			afterLine := strings.Count(tc.in+"\n", "\n") + 8
			sawAfter, sawRule := false, tc.rule == ""
			for _, f := range findings {
				if f.RuleID == InternalErrorRuleID {
					t.Errorf("internal error: %s", f.Message)
				}
				if f.RuleID == UnknownFieldRuleID && f.Line == afterLine {
					sawAfter = true
				}
				if f.RuleID == tc.rule && f.Line == tc.line {
					sawRule = true
				}
			}
			if !sawAfter {
				t.Errorf("the document after the hostile one was not linted (want unknown-field at line %d):\n%s", afterLine, dump(findings))
			}
			if !sawRule {
				t.Errorf("want %s at line %d:\n%s", tc.rule, tc.line, dump(findings))
			}
		})
	}
}

// TestHostilePaths covers inputs that are not files to read: a FIFO and a
// directory loop in a tree are skipped with an error, never waited on; the
// rest of the tree is still linted.
func TestHostilePaths(t *testing.T) {
	dir := t.TempDir()
	vm := "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: a}\nspec:\n  runStrateg: Halted\n"
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(vm), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(dir, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nowhere.yaml", filepath.Join(dir, "sub", "broken.yaml")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []Finding
	sum, err := MustNew(Options{}).Lint(ctx, []string{dir}, nil, func(f Finding) { got = append(got, f) })
	if err != nil {
		t.Fatalf("hung or failed: %v", err)
	}
	if len(got) != 1 || got[0].RuleID != UnknownFieldRuleID {
		t.Errorf("findings:\n%s", dump(got))
	}
	var msgs []string
	for _, e := range sum.InputErrors {
		msgs = append(msgs, e.Error())
	}
	joined := strings.Join(msgs, "\n")
	if len(msgs) != 2 || !strings.Contains(joined, "pipe.yaml: not a regular file") || !strings.Contains(joined, "broken.yaml: no such file") {
		t.Errorf("input errors:\n%s", joined)
	}
}
