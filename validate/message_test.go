package validate

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCELFrom: a validation's Message and MessageExpression are its
// template's, and From and made record what made them.
func TestCELFrom(t *testing.T) {
	m := Msg("the kubelet probes ", Val("host %q", "this host"), " instead")
	want := "'the kubelet probes host ' + strings.quote(h.host) + ' instead'"
	v := CELFrom(m, CELValidation{Field: "host"}, "h.host")
	if v.Message != m.Static() || v.MessageExpression != want || v.From != m || v.made != want {
		t.Errorf("CELFrom = %+v", v)
	}
	v = CELLetFrom(m, CELValidation{}, []CELVariable{{"h", "handler"}}, "h.host")
	if wantLet := "[handler].map(h, " + want + ")[0]"; v.MessageExpression != wantLet || v.made != wantLet {
		t.Errorf("CELLetFrom MessageExpression = %s, want %s", v.MessageExpression, wantLet)
	}
	defer func() {
		if recover() == nil {
			t.Error("CELFrom on a validation with its own message: no panic")
		}
	}()
	CELFrom(m, CELValidation{Message: "hand-written"}, "h.host")
}

// TestRuleMessagesAgree: a rule's Go findings and its CEL form say the
// same thing, because both are made from one Message. Every validation of
// every rule with a CEL form must have been made by CELFrom (From
// set, Message and MessageExpression as it made them, not written or
// changed by hand); a rule that cannot have a CEL form says so with NoCEL
// instead. And every finding its failing fixture gets must be worded by
// one of its validations' Messages. policy's TestLocalParity then compares
// the two word for word on every fixture.
func TestRuleMessagesAgree(t *testing.T) {
	checked := 0
	for _, r := range DefaultRegistry.Rules() {
		if !r.InCluster() {
			continue
		}
		for i, v := range r.CEL.Validations {
			switch {
			case v.From == nil:
				t.Errorf("%s: validation %d writes its CEL message by hand; make it with the rule's Message (CELFrom)", r.ID, i)
			case v.Message != v.From.Static():
				t.Errorf("%s: validation %d: the CEL Message %q is not its definition's %q", r.ID, i, v.Message, v.From.Static())
			case v.MessageExpression != v.made:
				t.Errorf("%s: validation %d: the MessageExpression was changed after CELFrom made it", r.ID, i)
			}
		}
		data, err := os.ReadFile(filepath.Join("testdata", "rules", r.ID, "fail.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		findings, _ := MustNew(fixtureOptions(t, data)).LintBytes("fail.yaml", data)
		n := 0
		taken := map[*Message]map[string]bool{} // the branches the findings took
		for _, f := range findings {
			if f.RuleID != r.ID {
				continue
			}
			n++
			ok := false
			for _, v := range r.CEL.Validations {
				if v.From == nil {
					continue
				}
				re := v.From.Pattern()
				match := re.FindStringSubmatchIndex(f.Message)
				if match == nil {
					continue
				}
				ok = true
				if taken[v.From] == nil {
					taken[v.From] = map[string]bool{}
				}
				for g, name := range re.SubexpNames() {
					if name != "" && match[2*g] >= 0 {
						taken[v.From][name] = true
					}
				}
			}
			if !ok {
				t.Errorf("%s: line %d: %q is not worded by any of the rule's CEL validations", r.ID, f.Line, f.Message)
			}
		}
		if n == 0 {
			t.Errorf("%s: fail.yaml gives no finding to compare", r.ID)
		}
		// Every wording must occur in fail.yaml, so that the parity tests
		// compare each branch of the CEL form with lint.
		for _, v := range r.CEL.Validations {
			if v.From == nil {
				continue
			}
			for _, name := range v.From.Pattern().SubexpNames() {
				if name != "" && !taken[v.From][name] {
					branch := "then"
					if name[0] == 'o' {
						branch = "otherwise"
					}
					t.Errorf("%s: no finding of fail.yaml takes the %s branch of choice %s of the message %q", r.ID, branch, name[1:], v.From.Static())
				}
			}
		}
		checked++
	}
	if checked < 15 {
		t.Errorf("only %d rules with a CEL form checked", checked)
	}
}
