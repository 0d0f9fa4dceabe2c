package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/validate"
)

// unknownRuleMessage says that id is not a rule, suggesting the closest
// rule ID when one is near enough to be a typo.
func unknownRuleMessage(reg *validate.Registry, id string) string {
	msg := fmt.Sprintf("unknown rule %q", id)
	if s := closestRule(reg, id); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + "; run 'vmhealth rules' to list them"
}

// closestRule returns the rule ID nearest to id, by the same measure that
// suggests field names in unknown-field findings, or "" when none is near.
func closestRule(reg *validate.Registry, id string) string {
	var ids []string
	for _, r := range reg.Rules() {
		ids = append(ids, r.ID)
	}
	return validate.Suggest(id, ids)
}

// ruleCompletions offers rule IDs, with their summaries, to the shell.
func ruleCompletions(reg *validate.Registry) []cobra.Completion {
	var out []cobra.Completion
	for _, r := range reg.Rules() {
		out = append(out, cobra.CompletionWithDesc(r.ID, r.Summary))
	}
	return out
}
