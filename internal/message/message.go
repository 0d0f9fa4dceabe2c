// Package message is the template a check's message is written in once,
// from which both its Go text and its CEL form (the admission policy's
// message and messageExpression) are made. probespec words its checks'
// errors with it and validate its rules' findings and CEL validations, so
// that a check's text exists in one place. validate re-exports it as
// validate.Message, validate.Msg, validate.Val, validate.Either and
// validate.When.
package message

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Message is a check's message, written once: literal words, the values
// the finding fills in, and choices between wordings. The Go check words
// its findings with Text; the CEL form gets its message (the values and
// choices replaced by words, for when the policy cannot compute them)
// from Static and its messageExpression (the same text built in CEL) from
// Expression or CEL, so that lint and the admission policy say the same
// thing by construction.
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
	choice         *Choice
}

// Value is a value in a Message: Format, with one verb, is how Go
// writes it ("host %q"), Static what the message without values says in
// its place ("this host").
type Value struct{ Format, Static string }

// Val is a Value.
func Val(format, static string) Value { return Value{format, static} }

// Choice is a part of a Message worded one of two ways, by a
// condition: Then when it holds, Otherwise when it does not. Its argument
// is the condition, a bool for Text and a CEL boolean for Expression.
// Static is what the message without values says in its place; the values
// inside the branches have no say in it.
type Choice struct {
	Static          string
	Then, Otherwise *Message
}

// Either is a Choice. then and otherwise are each what Msg takes
// as one part (a string, a Val, a choice) or a *Message for several.
func Either(static string, then, otherwise any) Choice {
	return Choice{Static: static, Then: asMessage(then), Otherwise: asMessage(otherwise)}
}

// When is a part that appears only when its condition holds, and not in
// the message without values: Either("", then, "").
func When(then any) Choice { return Either("", then, "") }

func asMessage(p any) *Message {
	if m, ok := p.(*Message); ok {
		return m
	}
	return Msg(p)
}

// Msg builds a Message from strings (words as they are), Vals, choices
// (Either, When) and other Messages, whose parts it takes in their place
// (their values and choices are then this message's too, in order).
func Msg(parts ...any) *Message {
	m := &Message{}
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			m.parts = append(m.parts, messagePart{text: p})
		case Value:
			if _, _, _, err := splitVerb(p.Format); err != nil {
				panic(err) // a programming error caught by every test run
			}
			m.parts = append(m.parts, messagePart{value: true, format: p.Format, static: p.Static})
		case *Message:
			m.parts = append(m.parts, p.parts...)
		case Choice:
			if p.Then == nil || p.Otherwise == nil {
				panic("message.Msg: a choice needs both branches (Either, When)")
			}
			m.parts = append(m.parts, messagePart{choice: &p})
		default:
			panic(fmt.Sprintf("message.Msg: %T is neither a string, a Val, a choice nor a Message", p))
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
		panic(fmt.Sprintf("message.Message.Text: %d values for %d", len(args), m.Values()))
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
				panic(fmt.Sprintf("message.Message.Text: %T for a choice, want a bool", args[0]))
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

// Literals returns the message's words: each run of literal text between
// its values and choices, in its branches too, and the non-empty words
// that stand for values and choices in Static. A test can look for them
// elsewhere to find a copy of the message written out by hand.
func (m *Message) Literals() []string {
	var out []string
	var run strings.Builder
	flush := func() {
		if run.Len() > 0 {
			out = append(out, run.String())
			run.Reset()
		}
	}
	for _, p := range m.parts {
		switch {
		case p.value:
			flush()
			before, _, after, _ := splitVerb(p.format)
			for _, s := range []string{before, after, p.static} {
				if s != "" {
					out = append(out, s)
				}
			}
		case p.choice != nil:
			flush()
			if p.choice.Static != "" {
				out = append(out, p.choice.Static)
			}
			out = append(out, p.choice.Then.Literals()...)
			out = append(out, p.choice.Otherwise.Literals()...)
		default:
			run.WriteString(p.text)
		}
	}
	flush()
	return out
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
		return "", 0, "", fmt.Errorf("message.Val: format %q must have exactly one of %%q, %%d, %%v or %%s", format)
	}
	return format[:i], format[i+1], format[i+2:], nil
}
