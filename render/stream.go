package render

import (
	"bytes"
	"encoding/json"
	"io"
)

// arrayStream writes one JSON array of a document element by element, as
// json.MarshalIndent with two-space indentation would have written the
// whole document: head is the document up to the array, indent the
// prefix of the array's elements. The JSON and SARIF formats stream their
// findings with it, so memory stays flat however many there are.
type arrayStream struct {
	w      io.Writer
	head   string
	indent string
	n      int
	buf    bytes.Buffer
}

// item writes v as the array's next element (the head before the first).
func (a *arrayStream) item(v any) error {
	b, err := json.MarshalIndent(v, a.indent, "  ")
	if err != nil {
		return err
	}
	a.buf.Reset()
	if a.n == 0 {
		a.buf.WriteString(a.head + "[\n" + a.indent)
	} else {
		a.buf.WriteString(",\n" + a.indent)
	}
	a.buf.Write(b)
	a.n++
	_, err = a.w.Write(a.buf.Bytes())
	return err
}

// close ends the array and writes rest, what follows it in the document
// (starting with the separator after the array); with no element written
// it writes the head and an empty array first.
func (a *arrayStream) close(rest string) error {
	var b bytes.Buffer
	if a.n == 0 {
		b.WriteString(a.head + "[]")
	} else {
		// The closing bracket is indented one level less than the elements.
		b.WriteString("\n" + a.indent[:len(a.indent)-2] + "]")
	}
	b.WriteString(rest)
	_, err := a.w.Write(b.Bytes())
	return err
}
