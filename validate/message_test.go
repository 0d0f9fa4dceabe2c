package validate

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMessageForms(t *testing.T) {
	m := Msg("the kubelet probes ", Val("host %q", "this host"), " instead; it's ", Val("%d", "some"), " s", Val("; %s", ""))
	if got, want := m.Text("x", 5, "done"), `the kubelet probes host "x" instead; it's 5 s; done`; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if got, want := m.Static(), "the kubelet probes this host instead; it's some s"; got != want {
		t.Errorf("Static = %q, want %q", got, want)
	}
	want := `'the kubelet probes host ' + strings.quote(h.host) + " instead; it's " + string(p.n) + ' s; ' + p.done`
	if got := m.Expression("h.host", "p.n", "p.done"); got != want {
		t.Errorf("Expression =\n%s\nwant\n%s", got, want)
	}
	if !m.Pattern().MatchString(m.Text("a b", -3, "x")) || m.Pattern().MatchString("the kubelet probes x") {
		t.Errorf("Pattern %v matches wrongly", m.Pattern())
	}
	v := m.CEL(CELValidation{Field: "host"}, "h.host", "p.n", "p.done")
	if v.Message != m.Static() || v.MessageExpression != want || v.From != m {
		t.Errorf("CEL = %+v", v)
	}
}

// TestRuleMessagesAgree: a rule's Go findings and its CEL form say the
// same thing. For each rule with a CEL form, every finding its failing
// fixture gets must be worded by one of its validations: made by the
// validation's Message (From) — then the CEL Message and MessageExpression
// were made from the same definition — or equal to a static Message. A
// validation with a MessageExpression written by hand is compared word
// for word with lint by policy's TestLocalParity instead; they are listed.
func TestRuleMessagesAgree(t *testing.T) {
	var handWritten []string
	for _, r := range DefaultRegistry.Rules() {
		if !r.InCluster() {
			continue
		}
		hand := false
		for _, v := range r.CEL.Validations {
			if v.From != nil && v.Message != v.From.Static() {
				t.Errorf("%s: the CEL Message %q is not its definition's %q", r.ID, v.Message, v.From.Static())
			}
			if v.From == nil && v.MessageExpression != "" {
				hand = true
			}
		}
		if hand {
			handWritten = append(handWritten, r.ID)
			continue
		}
		data, err := os.ReadFile(filepath.Join("testdata", "rules", r.ID, "fail.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		findings, _ := MustNew(fixtureOptions(t, data)).LintBytes("fail.yaml", data)
		n := 0
		for _, f := range findings {
			if f.RuleID != r.ID {
				continue
			}
			n++
			ok := false
			for _, v := range r.CEL.Validations {
				if v.From != nil && v.From.Pattern().MatchString(f.Message) || v.From == nil && v.Message == f.Message {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: line %d: %q is not worded by any of the rule's CEL validations", r.ID, f.Line, f.Message)
			}
		}
		if n == 0 {
			t.Errorf("%s: fail.yaml gives no finding to compare", r.ID)
		}
	}
	t.Logf("CEL messages written by hand (compared by policy's TestLocalParity): %v", handWritten)
}
