package cli

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/internal/rulesdoc"
	"github.com/vmhealth/vmhealth/render"
	"github.com/vmhealth/vmhealth/validate"
)

// RulesOptions hold the dependencies and arguments of rules.
type RulesOptions struct {
	IO       *IOStreams
	Registry *validate.Registry
	// ID is the rule to document; empty lists them all.
	ID string
	// Output is "" (a table, or the documentation of ID), json or yaml.
	Output string
}

// ruleDoc is one rule in rules -o json and yaml.
type ruleDoc struct {
	ID       string            `json:"id"`
	Severity validate.Severity `json:"severity"`
	Category validate.Category `json:"category"`
	Summary  string            `json:"summary"`
	// Docs is the rule's section of docs/rules.md.
	Docs string `json:"docs"`
	// Fix is whether lint --fix can fix its findings.
	Fix bool `json:"fix"`
	// InCluster is whether vmhealth policy can enforce it.
	InCluster bool `json:"inCluster"`
}

func newRuleDoc(r *validate.Rule) ruleDoc {
	return ruleDoc{
		ID: r.ID, Severity: r.Severity, Category: r.Category, Summary: strings.TrimSpace(r.Summary),
		Docs: render.RulesDocURL + "#" + r.ID, Fix: r.Fix != nil && r.Fix.Apply != nil, InCluster: r.InCluster(),
	}
}

// NewCmdRules builds the rules command. runF replaces rulesRun in tests.
func NewCmdRules(f *Factory, runF func(*RulesOptions) error) *cobra.Command {
	opts := &RulesOptions{IO: f.IOStreams, Registry: f.Registry}
	cmd := &cobra.Command{
		Use:   "rules [rule-id]",
		Short: "List the lint rules, or document one",
		Long: `List every rule that lint applies, with its ID, default severity, category,
whether vmhealth policy can enforce it in a cluster (IN-CLUSTER) and a
one-line summary; with a rule ID, print that rule's documentation:
what KubeVirt does, why the rule exists, and how to fix a finding.

Categories say when KubeVirt would notice the problem, if ever: input (the
file itself), admission (KubeVirt's admission rejects it), launcher (the
virt-launcher pod cannot be created, so the VM never starts), runtime
(accepted and silently wrong) and best-practice.`,
		Example: `  # All rules
  vmhealth rules

  # One rule in full
  vmhealth rules unknown-field

  # Turn a rule off for one lint run
  vmhealth lint --disable template-parameter vm.yaml

  # For a program: the fixable rules
  vmhealth rules -o json | jq -r '.[] | select(.fix) | .id'`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return ruleCompletions(opts.Registry), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Output != "" && !slices.Contains(structuredFormats, opts.Output) {
				return invalidEnum(cmd, flagOutput, opts.Output, structuredFormats)
			}
			if len(args) == 1 {
				opts.ID = args[0]
				if _, ok := opts.Registry.Get(opts.ID); !ok {
					return usageErrorf(nil, "%s", unknownRuleMessage(opts.Registry, opts.ID))
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return rulesRun(opts)
		},
	}
	addStructuredOutputFlag(cmd, &opts.Output)
	return cmd
}

func rulesRun(opts *RulesOptions) error {
	if opts.Output != "" {
		if opts.ID != "" {
			r, _ := opts.Registry.Get(opts.ID)
			return writeStructured(opts.IO, opts.Output, newRuleDoc(r))
		}
		docs := []ruleDoc{}
		for _, r := range opts.Registry.Rules() {
			docs = append(docs, newRuleDoc(r))
		}
		return writeStructured(opts.IO, opts.Output, docs)
	}
	if opts.ID != "" {
		rule, _ := opts.Registry.Get(opts.ID)
		return writeRuleDoc(opts, rule)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tIN-CLUSTER\tSUMMARY")
	for _, r := range opts.Registry.Rules() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, yesNo(r.InCluster()), r.Summary)
	}
	return tw.Flush()
}

func writeRuleDoc(opts *RulesOptions, r *validate.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", r.ID)
	fmt.Fprintf(&b, "Severity: %s\nCategory: %s\nIn-cluster: %s\n\n", r.Severity, r.Category, strings.ReplaceAll(rulesdoc.InClusterNote(r), "`", ""))
	fmt.Fprintf(&b, "%s\n", strings.TrimSpace(r.Summary))
	if d := strings.TrimSpace(r.Description); d != "" {
		fmt.Fprintf(&b, "\n%s\n", d)
	}
	if fix := strings.TrimSpace(r.Remediation); fix != "" {
		fmt.Fprintf(&b, "\nFix: %s\n", fix)
	}
	fmt.Fprintf(&b, "\nSilence it for one object with the annotation %s: %s\n", validate.IgnoreAnnotation, r.ID)
	_, err := fmt.Fprint(opts.IO.Out, b.String())
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
