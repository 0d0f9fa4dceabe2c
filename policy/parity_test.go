package policy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/policy"
	"github.com/vmhealth/vmhealth/policy/policytest"
	"github.com/vmhealth/vmhealth/validate"
)

// TestLocalParity evaluates the generated policies, with every rule that
// has a CEL form, warnings included, with the API server's admission code
// but without an API server, on every object of the rule fixtures and the
// corpus, and compares what they report with lint's findings of the same
// rules: rule, field and message. test/policy does
// the same against a real API server; this one runs in a second and says
// which expression is wrong.
//
// Without an API server nothing rejects what the CRD schema would, so
// objects with error findings of rules that have no CEL form (unknown
// fields, wrong types, unserved versions, a missing port) are left out:
// the API server refuses them before any policy runs.
func TestLocalParity(t *testing.T) {
	cases, err := policytest.Collect("../validate/testdata/rules/*/*.yaml", "../testdata/corpus/files/*/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	evaluators := map[string]*policytest.Evaluator{}
	var ids []string
	compared, skipped, schema := 0, 0, 0
	for _, c := range cases {
		if c.Skip != "" {
			skipped++
			continue
		}
		if inputProblem(c) {
			schema++
			continue
		}
		ev := evaluators[c.Arch]
		if ev == nil {
			set, err := policy.Generate(policy.Options{Architecture: c.Arch, Rules: inCluster()})
			if err != nil {
				t.Fatal(err)
			}
			ids = nil
			for _, r := range set.Rules {
				ids = append(ids, r.ID)
			}
			if ev, err = policytest.NewEvaluator(set); err != nil {
				t.Fatal(err)
			}
			evaluators[c.Arch] = ev
		}
		got, err := ev.Evaluate(c.Object)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		compared++
		slices.Sort(got)
		if want := c.Want(ids); !slices.Equal(got, want) {
			t.Errorf("%s:\npolicy: %s\nlint:   %s", c, strings.Join(got, "\n        "), strings.Join(want, "\n        "))
		}
	}
	t.Logf("%d objects compared, %d left out as the API server rejects them first, %d not sendable as written", compared, schema, skipped)
	if compared < 100 {
		t.Errorf("only %d objects compared", compared)
	}
}

func inputProblem(c *policytest.Case) bool {
	for _, f := range c.Findings {
		if r, ok := validate.DefaultRegistry.Get(f.RuleID); ok && !r.InCluster() && f.Severity == validate.SeverityError {
			return true
		}
	}
	return false
}

// inCluster lists every rule with a CEL form, whatever its severity.
func inCluster() []string {
	var ids []string
	for _, r := range validate.DefaultRegistry.Rules() {
		if r.InCluster() {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
