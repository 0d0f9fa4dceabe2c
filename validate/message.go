package validate

import "github.com/vmhealth/vmhealth/internal/message"

// Message is a rule's message, written once: literal words, the values
// the finding fills in, and choices between wordings. The Go check words
// its findings with Text; the rule's CEL form gets its Message (the values
// and choices replaced by words, for when the policy cannot compute them)
// and MessageExpression (the same text built in CEL) from CELFrom, so that
// lint and the admission policy say the same thing by construction. A
// rule that reports what one of probespec's checks finds uses that check's
// Message (probespec.PeriodTimeoutMessage, …), so the text is written once
// for both.
//
// Text and Expression take one argument for each value and for each
// choice, in the order they are written, a choice's own argument (its
// condition) before those of its branches. Every argument is given,
// whichever branch is taken: the Go call and the CEL call then list the
// same things in the same order.
type Message = message.Message

// MessageValue is a value in a Message: Format, with one verb, is how Go
// writes it ("host %q"), Static what the message without values says in
// its place ("this host").
type MessageValue = message.Value

// MessageChoice is a part of a Message worded one of two ways, by a
// condition: Then when it holds, Otherwise when it does not. Its argument
// is the condition, a bool for Text and a CEL boolean for Expression.
// Static is what the message without values says in its place; the values
// inside the branches have no say in it.
type MessageChoice = message.Choice

// Msg builds a Message from strings (words as they are), Vals, choices
// (Either, When) and other Messages, whose parts it takes in their place.
func Msg(parts ...any) *Message { return message.Msg(parts...) }

// Val is a MessageValue.
func Val(format, static string) MessageValue { return message.Val(format, static) }

// Either is a MessageChoice. then and otherwise are each what Msg takes
// as one part (a string, a Val, a choice) or a *Message for several.
func Either(static string, then, otherwise any) MessageChoice {
	return message.Either(static, then, otherwise)
}

// When is a part that appears only when its condition holds, and not in
// the message without values: Either("", then, "").
func When(then any) MessageChoice { return message.When(then) }

// CELFrom returns v with its Message and MessageExpression made from m,
// the values' CEL expressions given in order.
func CELFrom(m *Message, v CELValidation, exprs ...string) CELValidation {
	return CELLetFrom(m, v, nil, exprs...)
}

// CELLetFrom is CELFrom for value expressions that share a computation:
// each of lets is computed once, bound to its Name around the
// MessageExpression, and may be used by exprs and by the lets after it.
func CELLetFrom(m *Message, v CELValidation, lets []CELVariable, exprs ...string) CELValidation {
	if v.Message != "" || v.MessageExpression != "" {
		panic("validate.CELFrom: the validation has its own message")
	}
	ls := make([]message.Let, len(lets))
	for i, l := range lets {
		ls[i] = message.Let{Name: l.Name, Expression: l.Expression}
	}
	v.Message, v.MessageExpression = m.CELTexts(ls, exprs...)
	v.From, v.made = m, v.MessageExpression
	return v
}
