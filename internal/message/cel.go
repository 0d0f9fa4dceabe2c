package message

import (
	"fmt"
	"strings"
)

// Expression is the message as a CEL string expression, given the CEL
// expression of each value and choice in order: a string for %s, any
// value for %d and %v (converted with string()), a string quoted as Go's
// %q quotes it for %q (strings.quote), a boolean for a choice (the
// branches become a conditional, so only the one taken is evaluated).
func (m *Message) Expression(exprs ...string) string {
	if len(exprs) != m.Values() {
		panic(fmt.Sprintf("message.Message.Expression: %d expressions for %d values", len(exprs), m.Values()))
	}
	terms, _ := m.terms(exprs)
	return joinTerms(terms)
}

// terms returns the message's CEL terms, to be joined with +, and the
// expressions left.
func (m *Message) terms(exprs []string) ([]string, []string) {
	var terms []string
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			terms = append(terms, celLiteral(lit.String()))
			lit.Reset()
		}
	}
	for _, p := range m.parts {
		switch {
		case p.value:
			before, verb, after, _ := splitVerb(p.format)
			lit.WriteString(before)
			flush()
			switch verb {
			case 'q':
				terms = append(terms, "strings.quote("+exprs[0]+")")
			case 's':
				terms = append(terms, celOperand(exprs[0]))
			default:
				terms = append(terms, "string("+exprs[0]+")")
			}
			lit.WriteString(after)
			exprs = exprs[1:]
		case p.choice != nil:
			flush()
			cond := exprs[0]
			var then, otherwise []string
			then, exprs = p.choice.Then.terms(exprs[1:])
			otherwise, exprs = p.choice.Otherwise.terms(exprs)
			if celTopLevel(cond, "?") {
				cond = "(" + cond + ")" // a conditional as the condition
			}
			terms = append(terms, "("+cond+" ? "+joinTerms(then)+" : "+joinTerms(otherwise)+")")
		default:
			lit.WriteString(p.text)
		}
	}
	flush()
	return terms, exprs
}

// joinTerms joins CEL string terms with +; no terms are the empty string.
func joinTerms(terms []string) string {
	if len(terms) == 0 {
		return "''"
	}
	return strings.Join(terms, " + ")
}

// Let is a value that a message expression computes once and binds to
// Name, for the value expressions of CEL.
type Let struct{ Name, Expression string }

// CELTexts returns the two texts of a CEL validation made from m: message,
// the message without values (Static), and messageExpression, the
// message built in CEL from exprs, the values' CEL expressions in order
// (Expression), or "" for a message without values. Each of lets is
// computed once, bound to its Name around the expression, and may be
// used by exprs and by the lets after it.
func (m *Message) CELTexts(lets []Let, exprs ...string) (message, messageExpression string) {
	if m.Values() == 0 {
		if len(lets) > 0 {
			panic("message.Message.CELTexts: names bound for a message without values")
		}
		return m.Static(), ""
	}
	expr := m.Expression(exprs...)
	for i := len(lets) - 1; i >= 0; i-- {
		expr = "[" + lets[i].Expression + "].map(" + lets[i].Name + ", " + expr + ")[0]"
	}
	return m.Static(), expr
}

// celLiteral writes s as a CEL string literal: in single quotes, or in
// double quotes when s has a single quote in it.
func celLiteral(s string) string {
	q := "'"
	if strings.Contains(s, "'") {
		q = `"`
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, q, `\`+q)
	return q + s + q
}

// celOperand is expr safe to use as an operand of +: in parentheses when
// an operator that binds less tightly than + (a conditional, a logical
// operator, a comparison) is outside its parentheses and string literals.
func celOperand(expr string) string {
	if celTopLevel(expr, "?", "||", "&&", "==", "!=", "<", ">", " in ") {
		return "(" + expr + ")"
	}
	return expr
}

// celTopLevel reports whether one of ops occurs in expr outside
// parentheses, brackets, braces and string literals; a ? of optional
// selection (x.?f) does not count.
func celTopLevel(expr string, ops ...string) bool {
	depth := 0
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; c {
		case '\'', '"':
			for i++; i < len(expr) && expr[i] != c; i++ {
				if expr[i] == '\\' {
					i++
				}
			}
			continue
		case '(', '[', '{':
			depth++
			continue
		case ')', ']', '}':
			depth--
			continue
		}
		if depth != 0 {
			continue
		}
		for _, op := range ops {
			if strings.HasPrefix(expr[i:], op) && !(op == "?" && i > 0 && expr[i-1] == '.') {
				return true
			}
		}
	}
	return false
}
