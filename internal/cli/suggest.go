package cli

import (
	"fmt"
	"strings"

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

// closestRule returns the rule ID nearest to id by edit distance, or "" when
// none is within a third of id's length.
func closestRule(reg *validate.Registry, id string) string {
	best, bestDist := "", len(id)/3+1
	for _, r := range reg.Rules() {
		if d := editDistance(strings.ToLower(id), r.ID); d < bestDist {
			best, bestDist = r.ID, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// ruleCompletions offers rule IDs, with their summaries, to the shell.
func ruleCompletions(reg *validate.Registry) []cobra.Completion {
	var out []cobra.Completion
	for _, r := range reg.Rules() {
		out = append(out, cobra.CompletionWithDesc(r.ID, r.Summary))
	}
	return out
}
