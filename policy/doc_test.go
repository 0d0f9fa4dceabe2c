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
// policy enforces and the error-level rules it cannot, in step with the
// rules' CEL forms.
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
	if got := table("enforced in the cluster"); !slices.Equal(got, enforced) {
		t.Errorf("docs/policy.md lists as enforced:\n  %v\nthe rules with a CEL form are:\n  %v", got, enforced)
	}
	if got := table("not enforced"); !slices.Equal(got, not) {
		t.Errorf("docs/policy.md lists as not enforced:\n  %v\nthe error-level rules without a CEL form are:\n  %v", got, not)
	}
}
