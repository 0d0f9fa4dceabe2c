package validate

import (
	"fmt"
	"io"
	"strings"
)

// RuleExample is a fixture shown in a rule's documentation.
type RuleExample struct {
	Title string
	YAML  string
}

// WriteRulesMarkdown writes the rule reference (docs/rules.md): an index
// table, then one section per rule, with the examples given for it.
func WriteRulesMarkdown(w io.Writer, rules []*Rule, examples map[string][]RuleExample) error {
	var b strings.Builder
	b.WriteString("# vmhealth rules\n\n")
	b.WriteString("<!-- Generated from the rule registry by `make docs` (go test ./validate -run TestRulesDoc -update). Do not edit. -->\n\n")
	b.WriteString("Every rule has an ID to use in `vmhealth.io/ignore` annotations and in the\n")
	b.WriteString("configuration file, a default severity, and a category that says when\n")
	b.WriteString("KubeVirt itself would notice the problem:\n\n")
	b.WriteString("| category | meaning |\n|---|---|\n")
	for _, c := range []struct {
		c Category
		m string
	}{
		{CategoryInput, "the file itself is wrong: YAML syntax, unknown fields, duplicate keys, types"},
		{CategoryAdmission, "KubeVirt's admission (webhooks, CRD schema) rejects the object"},
		{CategoryLauncher, "accepted, but Kubernetes rejects the virt-launcher pod: the VM never starts"},
		{CategoryRuntime, "accepted and started, but the health check or watchdog silently does not work"},
		{CategoryBestPractice, "works as written, but is likely not what you want"},
	} {
		fmt.Fprintf(&b, "| `%s` | %s |\n", c.c, c.m)
	}
	b.WriteString("\n| rule | severity | category | summary |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", r.ID, r.ID, r.Severity, r.Category, escapeCell(r.Summary))
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s\n\n", r.ID)
		fmt.Fprintf(&b, "**Severity:** %s · **Category:** %s\n\n", r.Severity, r.Category)
		fmt.Fprintf(&b, "**In-cluster:** %s\n\n", r.InClusterNote())
		fmt.Fprintf(&b, "%s\n\n", r.Summary)
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(r.Description))
		fmt.Fprintf(&b, "**Fix:** %s\n", r.Remediation)
		for _, p := range r.Params {
			fmt.Fprintf(&b, "\n**Parameter** `%s` (configuration file: `rules.%s.params.%s`): %s; default %d, from %d to %d.\n",
				p.Name, r.ID, p.Name, p.Description, p.Default, p.Min, p.Max)
		}
		for _, ex := range examples[r.ID] {
			fmt.Fprintf(&b, "\n%s:\n\n```yaml\n%s\n```\n", ex.Title, strings.TrimRight(ex.YAML, "\n"))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
