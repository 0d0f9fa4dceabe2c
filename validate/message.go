package validate

import (
	"fmt"
	"regexp"
	"strings"
)

// Message is a rule's message, written once: literal words and the values
// the finding fills in. The Go check words its findings with Text; the
// rule's CEL form gets its Message (the values replaced by words, for when
// the policy cannot compute them) and MessageExpression (the same text
// built in CEL) from CEL, so that lint and the admission policy say the
// same thing by construction.
type Message struct {
	parts []messagePart
}

type messagePart struct {
	text string
	// value parts: format has one verb (%q, %d, %v or %s); static stands
	// for the value in the message without values.
	value          bool
	format, static string
}

// MessageValue is a value in a Message: Format, with one verb, is how Go
// writes it ("host %q"), Static what the message without values says in
// its place ("this host").
type MessageValue struct{ Format, Static string }

// Val is a MessageValue.
func Val(format, static string) MessageValue { return MessageValue{format, static} }

// Msg builds a Message from strings (words as they are) and Vals.
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
		default:
			panic(fmt.Sprintf("validate.Msg: %T is neither a string nor a Val", p))
		}
	}
	return m
}

// Values is how many values the message takes.
func (m *Message) Values() int {
	n := 0
	for _, p := range m.parts {
		if p.value {
			n++
		}
	}
	return n
}

// Text is the Go finding's message, with args for the values in order.
func (m *Message) Text(args ...any) string {
	if len(args) != m.Values() {
		panic(fmt.Sprintf("validate.Message.Text: %d values for %d", len(args), m.Values()))
	}
	var b strings.Builder
	i := 0
	for _, p := range m.parts {
		if !p.value {
			b.WriteString(p.text)
			continue
		}
		fmt.Fprintf(&b, p.format, args[i])
		i++
	}
	return b.String()
}

// Static is the message with each value replaced by its words.
func (m *Message) Static() string {
	var b strings.Builder
	for _, p := range m.parts {
		if p.value {
			b.WriteString(p.static)
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// Expression is the message as a CEL string expression, given the CEL
// expression of each value in order: a string for %s, any value for %d
// and %v (converted with string()), a string quoted as Go's %q quotes it
// for %q (strings.quote).
func (m *Message) Expression(exprs ...string) string {
	if len(exprs) != m.Values() {
		panic(fmt.Sprintf("validate.Message.Expression: %d expressions for %d values", len(exprs), m.Values()))
	}
	var terms []string
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			terms = append(terms, celLiteral(lit.String()))
			lit.Reset()
		}
	}
	i := 0
	for _, p := range m.parts {
		if !p.value {
			lit.WriteString(p.text)
			continue
		}
		before, verb, after, _ := splitVerb(p.format)
		lit.WriteString(before)
		flush()
		switch verb {
		case 'q':
			terms = append(terms, "strings.quote("+exprs[i]+")")
		case 's':
			terms = append(terms, exprs[i])
		default:
			terms = append(terms, "string("+exprs[i]+")")
		}
		lit.WriteString(after)
		i++
	}
	flush()
	return strings.Join(terms, " + ")
}

// CEL returns v with its Message and MessageExpression made from m, the
// values' CEL expressions given in order.
func (m *Message) CEL(v CELValidation, exprs ...string) CELValidation {
	if v.Message != "" || v.MessageExpression != "" {
		panic("validate.Message.CEL: the validation has its own message")
	}
	v.Message = m.Static()
	if m.Values() > 0 {
		v.MessageExpression = m.Expression(exprs...)
	}
	v.From = m
	return v
}

// Pattern matches the messages Text can make.
func (m *Message) Pattern() *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, p := range m.parts {
		if !p.value {
			b.WriteString(regexp.QuoteMeta(p.text))
			continue
		}
		before, _, after, _ := splitVerb(p.format)
		b.WriteString(regexp.QuoteMeta(before) + "(.*?)" + regexp.QuoteMeta(after))
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
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
