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
	if v.Message != m.Static() || v.MessageExpression != want || v.From != m || v.made != want {
		t.Errorf("CEL = %+v", v)
	}
}

func TestMessageChoices(t *testing.T) {
	// A choice's condition comes before the values of its branches, and
	// every value is given whichever branch is taken.
	m := Msg("port ", Either("of the probe", Msg(Val("%q", ""), " (", Val("%d", ""), ")"), Val("%d", "")),
		" is closed", When(Msg("; the ", Val("%s", ""), " interface forwards only some")), ".")
	if got, want := m.Values(), 6; got != want {
		t.Fatalf("Values = %d, want %d", got, want)
	}
	texts := []struct {
		args []any
		want string
	}{
		{[]any{true, "http", 80, 80, false, "masquerade"}, `port "http" (80) is closed.`},
		{[]any{false, "", 0, 22, true, "passt"}, `port 22 is closed; the passt interface forwards only some.`},
	}
	for _, tt := range texts {
		got := m.Text(tt.args...)
		if got != tt.want {
			t.Errorf("Text(%v) = %q, want %q", tt.args, got, tt.want)
		}
		if !m.Pattern().MatchString(got) {
			t.Errorf("Pattern %v does not match %q", m.Pattern(), got)
		}
	}
	for _, bad := range []string{"port 22 is closed; the interface forwards all.", "port 22 is open."} {
		if m.Pattern().MatchString(bad) {
			t.Errorf("Pattern %v matches %q", m.Pattern(), bad)
		}
	}
	if got, want := m.Static(), "port of the probe is closed."; got != want {
		t.Errorf("Static = %q, want %q", got, want)
	}
	want := "'port ' + (type(h.port) == string ? strings.quote(h.port) + ' (' + string(n) + ')' : string(n)) + " +
		"' is closed' + (has(i.masquerade) ? '; the ' + (has(i.x) ? 'x' : 'y') + ' interface forwards only some' : '') + '.'"
	if got := m.Expression("type(h.port) == string", "h.port", "n", "n", "has(i.masquerade)", "has(i.x) ? 'x' : 'y'"); got != want {
		t.Errorf("Expression =\n%s\nwant\n%s", got, want)
	}
	v := m.CELLet(CELValidation{}, []CELVariable{{"n", "int(h.port)"}, {"i", "ifaces[0]"}},
		"type(h.port) == string", "h.port", "n", "n", "has(i.masquerade)", "has(i.x) ? 'x' : 'y'")
	if wantLet := "[int(h.port)].map(n, [ifaces[0]].map(i, " + want + ")[0])[0]"; v.MessageExpression != wantLet || v.made != wantLet {
		t.Errorf("CELLet MessageExpression =\n%s\nwant\n%s", v.MessageExpression, wantLet)
	}
}

func TestMessageMisuse(t *testing.T) {
	m := Msg(Either("", "a", "b"))
	for name, f := range map[string]func(){
		"too few values":      func() { m.Text() },
		"a choice not a bool": func() { m.Text("yes") },
		"too many CEL values": func() { m.Expression("c", "d") },
		"two verbs":           func() { Msg(Val("%d %d", "")) },
		"not a part":          func() { Msg(3) },
		"a message of its own": func() {
			m.CEL(CELValidation{Message: "hand-written"}, "c")
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestCELOperand(t *testing.T) {
	for expr, want := range map[string]string{
		"variables.arch":                   "variables.arch",
		"'exec'":                           "'exec'",
		"(a ? 'b' : 'c')":                  "(a ? 'b' : 'c')",
		"a ? 'b' : 'c'":                    "(a ? 'b' : 'c')",
		"(a) || (b)":                       "((a) || (b))",
		"'a ? b' + c":                      "'a ? b' + c",
		"x.?y.orValue('') + 'z'":           "x.?y.orValue('') + 'z'",
		"a.size() == 0":                    "(a.size() == 0)",
		"[x].map(s, s == '' ? 'U' : s)[0]": "[x].map(s, s == '' ? 'U' : s)[0]",
		"f('it\\'s', a == b)":              "f('it\\'s', a == b)",
	} {
		if got := celOperand(expr); got != want {
			t.Errorf("celOperand(%s) = %s, want %s", expr, got, want)
		}
	}
}

// TestRuleMessagesAgree: a rule's Go findings and its CEL form say the
// same thing, because both are made from one Message. Every validation of
// every rule with a CEL form must have been made by Message.CEL (From
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
				t.Errorf("%s: validation %d writes its CEL message by hand; make it with the rule's Message (Msg(...).CEL)", r.ID, i)
			case v.Message != v.From.Static():
				t.Errorf("%s: validation %d: the CEL Message %q is not its definition's %q", r.ID, i, v.Message, v.From.Static())
			case v.MessageExpression != v.made:
				t.Errorf("%s: validation %d: the MessageExpression was changed after Message.CEL made it", r.ID, i)
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
