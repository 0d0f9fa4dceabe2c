// Package rulesdoc writes the rule reference, docs/rules.md, from the rule
// registry and the rules' fixtures, and words a rule's in-cluster status
// for it and for vmhealth rules.
package rulesdoc

import (
	"fmt"
	"io"
	"strings"

	"github.com/vmhealth/vmhealth/validate"
)

// Example is a fixture shown in a rule's documentation.
type Example struct {
	Title string
	YAML  string
}

// Write writes the rule reference (docs/rules.md): an index table, then
// one section per rule, with the examples given for it.
func Write(w io.Writer, rules []*validate.Rule, examples map[string][]Example) error {
	var b strings.Builder
	b.WriteString("# vmhealth rules\n\n")
	b.WriteString("<!-- Generated from the rule registry by `make docs` (go test ./internal/rulesdoc -run TestRulesDoc -update). Do not edit. -->\n\n")
	b.WriteString("Every rule has an ID to use in `vmhealth.io/ignore` annotations and in the\n")
	b.WriteString("configuration file, a default severity, and a category that says when\n")
	b.WriteString("KubeVirt itself would notice the problem:\n\n")
	b.WriteString("| category | meaning |\n|---|---|\n")
	for _, c := range []struct {
		c validate.Category
		m string
	}{
		{validate.CategoryInput, "the file itself is wrong: YAML syntax, unknown fields, duplicate keys, types"},
		{validate.CategoryAdmission, "KubeVirt's admission (webhooks, CRD schema) rejects the object"},
		{validate.CategoryLauncher, "accepted, but Kubernetes rejects the virt-launcher pod: the VM never starts"},
		{validate.CategoryRuntime, "accepted and started, but the health check or watchdog silently does not work"},
		{validate.CategoryBestPractice, "works as written, but is likely not what you want"},
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
		fmt.Fprintf(&b, "**In-cluster:** %s\n\n", InClusterNote(r))
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

// InClusterNote says in a sentence whether a ValidatingAdmissionPolicy
// written by vmhealth policy enforces the rule, and why not when it
// cannot; docs/rules.md and vmhealth rules show it.
func InClusterNote(r *validate.Rule) string {
	switch {
	case r.InCluster() && r.Severity == validate.SeverityError:
		return "yes, `vmhealth policy` enforces it."
	case r.InCluster():
		return "yes, when `vmhealth policy --rules` names it or the configuration file raises it to error."
	case r.CEL != nil && r.CEL.NoCEL != "":
		return "no. " + r.CEL.NoCEL
	}
	return "no."
}
