package validate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Message is a rule's message, written once: literal words, the values
// the finding fills in, and choices between wordings. The Go check words
// its findings with Text; the rule's CEL form gets its Message (the values
// and choices replaced by words, for when the policy cannot compute them)
// and MessageExpression (the same text built in CEL) from CEL, so that
// lint and the admission policy say the same thing by construction.
//
// Text and Expression take one argument for each value and for each
// choice, in the order they are written, a choice's own argument (its
// condition) before those of its branches. Every argument is given,
// whichever branch is taken: the Go call and the CEL call then list the
// same things in the same order.
type Message struct {
	parts []messagePart
}

// messagePart is one of: literal text; a value (format has one verb,
// static stands for the value in the message without values); a choice.
type messagePart struct {
	text           string
	value          bool
	format, static string
	choice         *MessageChoice
}

// MessageValue is a value in a Message: Format, with one verb, is how Go
// writes it ("host %q"), Static what the message without values says in
// its place ("this host").
type MessageValue struct{ Format, Static string }

// Val is a MessageValue.
func Val(format, static string) MessageValue { return MessageValue{format, static} }

// MessageChoice is a part of a Message worded one of two ways, by a
// condition: Then when it holds, Otherwise when it does not. Its argument
// is the condition, a bool for Text and a CEL boolean for Expression.
// Static is what the message without values says in its place; the values
// inside the branches have no say in it.
type MessageChoice struct {
	Static          string
	Then, Otherwise *Message
}

// Either is a MessageChoice. then and otherwise are each what Msg takes
// as one part (a string, a Val, a choice) or a *Message for several.
func Either(static string, then, otherwise any) MessageChoice {
	return MessageChoice{Static: static, Then: asMessage(then), Otherwise: asMessage(otherwise)}
}

// When is a part that appears only when its condition holds, and not in
// the message without values: Either("", then, "").
func When(then any) MessageChoice { return Either("", then, "") }

func asMessage(p any) *Message {
	if m, ok := p.(*Message); ok {
		return m
	}
	return Msg(p)
}

// Msg builds a Message from strings (words as they are), Vals and choices
// (Either, When).
func Msg(parts ...any) *Message {
	m := &Message{}
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			m.parts = append(m.parts, messagePart{text: p})
		case MessageValue:
			if _, _, _, err := splitVerb(p.Format); err != nil {
				panic(err) // a programming error caught by every test run
			}
			m.parts = append(m.parts, messagePart{value: true, format: p.Format, static: p.Static})
		case MessageChoice:
			if p.Then == nil || p.Otherwise == nil {
				panic("validate.Msg: a choice needs both branches (Either, When)")
			}
			m.parts = append(m.parts, messagePart{choice: &p})
		default:
			panic(fmt.Sprintf("validate.Msg: %T is neither a string, a Val nor a choice", p))
		}
	}
	return m
}

// Values is how many arguments Text and Expression take: one for each
// value and for each choice, the values inside its branches included.
func (m *Message) Values() int {
	n := 0
	for _, p := range m.parts {
		switch {
		case p.value:
			n++
		case p.choice != nil:
			n += 1 + p.choice.Then.Values() + p.choice.Otherwise.Values()
		}
	}
	return n
}

// Text is the Go finding's message, with args for the values and choices
// in order (a bool for each choice).
func (m *Message) Text(args ...any) string {
	if len(args) != m.Values() {
		panic(fmt.Sprintf("validate.Message.Text: %d values for %d", len(args), m.Values()))
	}
	var b strings.Builder
	m.write(&b, args)
	return b.String()
}

// write writes the message to b, or only consumes its arguments when b is
// nil (a branch not taken), and returns the arguments left.
func (m *Message) write(b *strings.Builder, args []any) []any {
	for _, p := range m.parts {
		switch {
		case p.value:
			if b != nil {
				fmt.Fprintf(b, p.format, args[0])
			}
			args = args[1:]
		case p.choice != nil:
			cond, ok := args[0].(bool)
			if !ok {
				panic(fmt.Sprintf("validate.Message.Text: %T for a choice, want a bool", args[0]))
			}
			then, otherwise := b, b
			if cond {
				otherwise = nil
			} else {
				then = nil
			}
			args = p.choice.Then.write(then, args[1:])
			args = p.choice.Otherwise.write(otherwise, args)
		case b != nil:
			b.WriteString(p.text)
		}
	}
	return args
}

// Static is the message with each value and choice replaced by its words.
func (m *Message) Static() string {
	var b strings.Builder
	for _, p := range m.parts {
		switch {
		case p.value:
			b.WriteString(p.static)
		case p.choice != nil:
			b.WriteString(p.choice.Static)
		default:
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// Expression is the message as a CEL string expression, given the CEL
// expression of each value and choice in order: a string for %s, any
// value for %d and %v (converted with string()), a string quoted as Go's
// %q quotes it for %q (strings.quote), a boolean for a choice (the
// branches become a conditional, so only the one taken is evaluated).
func (m *Message) Expression(exprs ...string) string {
	if len(exprs) != m.Values() {
		panic(fmt.Sprintf("validate.Message.Expression: %d expressions for %d values", len(exprs), m.Values()))
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

// CEL returns v with its Message and MessageExpression made from m, the
// values' CEL expressions given in order.
func (m *Message) CEL(v CELValidation, exprs ...string) CELValidation {
	return m.CELLet(v, nil, exprs...)
}

// CELLet is CEL for value expressions that share a computation: each of
// lets is computed once, bound to its Name around the MessageExpression,
// and may be used by exprs and by the lets after it.
func (m *Message) CELLet(v CELValidation, lets []CELVariable, exprs ...string) CELValidation {
	if v.Message != "" || v.MessageExpression != "" {
		panic("validate.Message.CEL: the validation has its own message")
	}
	v.Message = m.Static()
	if m.Values() > 0 {
		expr := m.Expression(exprs...)
		for i := len(lets) - 1; i >= 0; i-- {
			expr = "[" + lets[i].Expression + "].map(" + lets[i].Name + ", " + expr + ")[0]"
		}
		v.MessageExpression = expr
	} else if len(lets) > 0 {
		panic("validate.Message.CELLet: names bound for a message without values")
	}
	v.From, v.made = m, v.MessageExpression
	return v
}

// Pattern matches the messages Text can make. Each branch of the k-th
// choice (counted as the arguments are) is a group named tk or ok, so
// that a match tells which wordings a text took.
func (m *Message) Pattern() *regexp.Regexp {
	k := 0
	return regexp.MustCompile("^" + m.pattern(&k) + "$")
}

func (m *Message) pattern(k *int) string {
	var b strings.Builder
	for _, p := range m.parts {
		switch {
		case p.value:
			before, _, after, _ := splitVerb(p.format)
			b.WriteString(regexp.QuoteMeta(before) + "(.*?)" + regexp.QuoteMeta(after))
		case p.choice != nil:
			n := strconv.Itoa(*k)
			*k++
			then := p.choice.Then.pattern(k)
			otherwise := p.choice.Otherwise.pattern(k)
			b.WriteString("(?:(?P<t" + n + ">" + then + ")|(?P<o" + n + ">" + otherwise + "))")
		default:
			b.WriteString(regexp.QuoteMeta(p.text))
		}
	}
	return b.String()
}

// splitVerb splits a value's format around its one verb.
func splitVerb(format string) (before string, verb byte, after string, err error) {
	i := strings.IndexByte(format, '%')
	if i < 0 || i+1 >= len(format) || !strings.ContainsRune("qdvs", rune(format[i+1])) || strings.Contains(format[i+2:], "%") {
		return "", 0, "", fmt.Errorf("validate.Val: format %q must have exactly one of %%q, %%d, %%v or %%s", format)
	}
	return format[:i], format[i+1], format[i+2:], nil
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
