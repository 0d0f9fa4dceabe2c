package cli

import (
	"fmt"
	"slices"
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

// enumAliases are names people type for a value that vmhealth spells
// another way: uname's and distributions' names of architectures, and
// short severities. A suggestion is only ever a hint; the value is still
// refused.
var enumAliases = map[string]string{
	"x86_64":  "amd64",
	"x86-64":  "amd64",
	"x64":     "amd64",
	"aarch64": "arm64",
	"arm":     "arm64",
	"warn":    "warning",
	"err":     "error",
	"yml":     "yaml",
}

// invalidEnum is the usage error of every flag whose value is one of a
// fixed list (--arch, --fail-on, -o, --kind, …): it names the flag, the
// value and the list, and the closest value when one is near enough to be
// a typo or is another name for it.
func invalidEnum(cmd *cobra.Command, flag, value string, allowed []string) error {
	msg := fmt.Sprintf("invalid --%s %q (one of: %s)", flag, value, strings.Join(allowed, ", "))
	if s := suggestValue(value, allowed); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return usageErrorf(cmd, "%s", msg)
}

// suggestValue returns the allowed value that value most likely meant, or
// "".
func suggestValue(value string, allowed []string) string {
	lower := strings.ToLower(strings.TrimSpace(value))
	if a, ok := enumAliases[lower]; ok && slices.Contains(allowed, a) {
		return a
	}
	for _, a := range allowed {
		if strings.EqualFold(a, lower) && a != value {
			return a
		}
	}
	// The nearest by edit distance; field names' measure (validate.Suggest)
	// ranks any prefix first, which for short values such as vm and vmpool
	// picks the wrong one.
	best, bestDist := "", max(1, len(lower)/3)+1
	for _, a := range allowed {
		if d := editDistance(lower, strings.ToLower(a)); d < bestDist {
			best, bestDist = a, d
		}
	}
	if best == "" && len(lower) >= 2 {
		for _, a := range allowed {
			if strings.HasPrefix(strings.ToLower(a), lower) {
				return a // an abbreviation: serv for server-side
			}
		}
	}
	return best
}

// editDistance is the edit distance of two short strings, a swap of two
// neighbouring letters counting as one edit (zhs for zsh).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
