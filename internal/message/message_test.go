package message

import (
	"slices"
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
	if msg, expr := m.CELTexts(nil, "h.host", "p.n", "p.done"); msg != m.Static() || expr != want {
		t.Errorf("CELTexts = %q, %q", msg, expr)
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
	_, expr := m.CELTexts([]Let{{"n", "int(h.port)"}, {"i", "ifaces[0]"}},
		"type(h.port) == string", "h.port", "n", "n", "has(i.masquerade)", "has(i.x) ? 'x' : 'y'")
	if wantLet := "[int(h.port)].map(n, [ifaces[0]].map(i, " + want + ")[0])[0]"; expr != wantLet {
		t.Errorf("CELTexts with lets =\n%s\nwant\n%s", expr, wantLet)
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
		"lets without values": func() { Msg("a").CELTexts([]Let{{"x", "1"}}) },
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

// TestNestedMessage: a Message as a part of another gives its parts, its
// values and choices counted in order with the others'.
func TestNestedMessage(t *testing.T) {
	reason := Msg("the ", Val("%s", "pod network's"), " interface forwards only ", Val("%s", "some ports"))
	m := Msg("port ", Val("%d", ""), " is closed: ", reason, When("; add it"))
	if got, want := m.Values(), 4; got != want {
		t.Fatalf("Values = %d, want %d", got, want)
	}
	if got, want := m.Text(80, "passt", "22", true), "port 80 is closed: the passt interface forwards only 22; add it"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if got, want := m.Static(), "port  is closed: the pod network's interface forwards only some ports"; got != want {
		t.Errorf("Static = %q, want %q", got, want)
	}
	if got, want := reason.Values(), 2; got != want {
		t.Errorf("the nested message changed: Values = %d, want %d", got, want)
	}
}

func TestLiterals(t *testing.T) {
	m := Msg("port ", Val("%d", ""), " is closed", Either("by a rule", Msg(": the ", Val("%s interface", "some interface"), " drops it"), "."))
	want := []string{"port ", " is closed", "by a rule", ": the ", " interface", "some interface", " drops it", "."}
	if got := m.Literals(); !slices.Equal(got, want) {
		t.Errorf("Literals = %q, want %q", got, want)
	}
}
