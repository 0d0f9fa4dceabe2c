package validate_test

import (
	"fmt"

	"github.com/vmhealth/vmhealth/validate"
)

// A rule's message is written once; the Go check words its findings with
// Text and the rule's CEL form gets the same text from CEL (here shown
// with Static and Expression, which CEL uses). A choice takes a condition,
// a bool in Go and a boolean in CEL, before the values of its branches.
func ExampleMsg() {
	m := validate.Msg("port ", validate.Either("of the probe", validate.Val("%q", ""), validate.Val("%d", "")),
		" is not forwarded", validate.When("; write the number without quotes"))

	fmt.Println(m.Text(false, "", 8080, false))
	fmt.Println(m.Text(true, "8080", 0, true))
	fmt.Println(m.Static())
	fmt.Println(m.Expression("type(handler.port) == string", "handler.port", "handler.port", "handler.port.matches('^[0-9]+$')"))
	// Output:
	// port 8080 is not forwarded
	// port "8080" is not forwarded; write the number without quotes
	// port of the probe is not forwarded
	// 'port ' + (type(handler.port) == string ? strings.quote(handler.port) : string(handler.port)) + ' is not forwarded' + (handler.port.matches('^[0-9]+$') ? '; write the number without quotes' : '')
}
