package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// TestDocListsRules keeps the two tables of docs/policy.md, the rules a
// policy enforces and the error-level rules it cannot, and its list of
// warning rules with a CEL form, in step with the rules.
func TestDocListsRules(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	table := func(header string) []string {
		_, rest, ok := strings.Cut(string(doc), "\n| "+header+" |")
		if !ok {
			t.Fatalf("docs/policy.md has no table headed %q", header)
		}
		var ids []string
		for _, line := range strings.Split(rest, "\n")[2:] {
			if !strings.HasPrefix(line, "|") {
				break
			}
			cell := strings.Split(line, "|")[1]
			for _, m := range regexp.MustCompile("`([a-z0-9-]+)`").FindAllStringSubmatch(cell, -1) {
				ids = append(ids, m[1])
			}
		}
		slices.Sort(ids)
		return ids
	}
	var enforced, not []string
	for _, r := range validate.DefaultRegistry.Rules() {
		switch {
		case r.InCluster() && r.Severity == validate.SeverityError:
			enforced = append(enforced, r.ID)
		case r.Severity == validate.SeverityError && r.FileCheck == nil:
			not = append(not, r.ID)
		}
	}
	for _, r := range validate.DefaultRegistry.Rules() {
		if r.InCluster() && r.Severity != validate.SeverityError && !strings.Contains(string(doc), "`"+r.ID+"`") {
			t.Errorf("docs/policy.md does not mention %s, a %s rule with a CEL form", r.ID, r.Severity)
		}
	}
	if got := table("enforced in the cluster"); !slices.Equal(got, enforced) {
		t.Errorf("docs/policy.md lists as enforced:\n  %v\nthe rules with a CEL form are:\n  %v", got, enforced)
	}
	if got := table("not enforced"); !slices.Equal(got, not) {
		t.Errorf("docs/policy.md lists as not enforced:\n  %v\nthe error-level rules without a CEL form are:\n  %v", got, not)
	}
}
