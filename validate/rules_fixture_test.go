package validate

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// wantMarker marks a line of a failing fixture on which a finding of the
// named rules is expected: `key: value # want: rule-id[, rule-id]`.
var wantMarker = regexp.MustCompile(`#\s*want:\s*([a-z0-9, -]+)\s*$`)

// optionsMarker lets a fixture set linter options:
// `# vmhealth-options: maxDocumentBytes=300 arch=s390x`.
var optionsMarker = regexp.MustCompile(`(?m)^#\s*vmhealth-options:(.*)$`)

func fixtureOptions(t *testing.T, data []byte) Options {
	t.Helper()
	var o Options
	m := optionsMarker.FindSubmatch(data)
	if m == nil {
		return o
	}
	for _, kv := range strings.Fields(string(m[1])) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "maxDocumentBytes":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("bad option %s", kv)
			}
			o.MaxDocumentBytes = n
		case "arch":
			o.Architecture = v
		default:
			t.Fatalf("unknown fixture option %q", k)
		}
	}
	return o
}

func wantedLines(data []byte, id string) []int {
	var lines []int
	for i, line := range bytes.Split(data, []byte("\n")) {
		m := wantMarker.FindSubmatch(line)
		if m == nil {
			continue
		}
		for _, w := range strings.Split(string(m[1]), ",") {
			if strings.TrimSpace(w) == id {
				lines = append(lines, i+1)
			}
		}
	}
	return lines
}

func ruleFile(id string) string { return "rule_" + strings.ReplaceAll(id, "-", "_") + ".go" }

// TestRuleFixtures checks the four things every rule must have: its own
// file, a doc entry, a failing fixture whose "# want" lines are exactly the
// lines the rule reports, and a passing fixture with no error at all.
func TestRuleFixtures(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "rules.md"))
	if err != nil && !*update {
		t.Fatalf("docs/rules.md: %v", err)
	}
	for _, r := range DefaultRegistry.Rules() {
		t.Run(r.ID, func(t *testing.T) {
			if _, err := os.Stat(ruleFile(r.ID)); err != nil {
				t.Errorf("rule %s has no file %s", r.ID, ruleFile(r.ID))
			}
			if !*update && !bytes.Contains(doc, []byte("\n## "+r.ID+"\n")) {
				t.Errorf("docs/rules.md has no entry for %s (run make docs)", r.ID)
			}
			if r.Summary == "" || r.Description == "" || r.Remediation == "" {
				t.Errorf("rule %s lacks a summary, description or remediation", r.ID)
			}
			dir := filepath.Join("testdata", "rules", r.ID)

			fail, err := os.ReadFile(filepath.Join(dir, "fail.yaml"))
			if err != nil {
				t.Fatalf("failing fixture: %v", err)
			}
			want := wantedLines(fail, r.ID)
			if len(want) == 0 {
				t.Fatalf("fail.yaml marks no line with # want: %s", r.ID)
			}
			// Named by its path, so that rules which look beside the file
			// (strategic-merge-patch reads the kustomization) see its
			// directory.
			findings, _ := MustNew(fixtureOptions(t, fail)).LintBytes(filepath.Join(dir, "fail.yaml"), fail)
			var got []int
			for _, f := range findings {
				if f.RuleID == r.ID && f.Suppressed == nil {
					got = append(got, f.Line)
					if f.Severity != r.Severity {
						t.Errorf("finding at line %d has severity %s, rule says %s", f.Line, f.Severity, r.Severity)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("fail.yaml: %s reported on lines %v, want %v\nall findings:\n%s", r.ID, got, want, dump(findings))
			}

			pass, err := os.ReadFile(filepath.Join(dir, "pass.yaml"))
			if err != nil {
				t.Fatalf("passing fixture: %v", err)
			}
			findings, _ = MustNew(fixtureOptions(t, pass)).LintBytes(filepath.Join(dir, "pass.yaml"), pass)
			for _, f := range findings {
				if f.RuleID == r.ID || f.Severity == SeverityError {
					t.Errorf("pass.yaml: unexpected finding %s", dump([]Finding{f}))
				}
			}
		})
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s %s: %s\n", f.Location(), f.Severity, f.RuleID, f.Field, f.Message)
	}
	return b.String()
}
