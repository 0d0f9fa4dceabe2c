package validate

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// scannerProblems are the go-yaml errors raised while scanning tokens. The
// parser reports their lines 1-based; all its other errors (raised while
// parsing the structure: "did not find expected key") carry the 0-based line
// of the construct that could not be finished, so one is added to those.
var scannerProblems = []string{
	"block sequence entries are not allowed", "could not find expected", "did not find expected alphabetic",
	"did not find expected comment", "did not find expected digit", "did not find expected hexdecimal",
	"did not find expected version", "did not find expected whitespace", "did not find the expected '>'",
	"exceeded max depth", "found a tab character", "found an indentation indicator", "found character that cannot",
	"found extremely long", "found invalid Unicode", "found unexpected document indicator", "found unexpected end of stream",
	"found unexpected non-alphabetical", "found unknown directive", "found unknown escape", "mapping keys are not allowed",
	"mapping values are not allowed",
}

// parseErrorPosition turns a YAML parser error into a line within the
// document, a column and a message. The parser reports lines only; the
// column is that of the first character on the line, which is where the
// construct it could not read begins in almost every case. Errors about the
// bytes themselves (invalid UTF-8, control characters) carry no line: the
// first offending byte is found here.
func parseErrorPosition(err error, data []byte) (line, col int, msg string) {
	msg = err.Error()
	line, col = 1, 1
	first, _, _ := strings.Cut(msg, "\n")
	if m := yamlErrLine.FindStringSubmatch(first); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = "YAML syntax error: " + m[2]
		scanner := false
		for _, p := range scannerProblems {
			scanner = scanner || strings.HasPrefix(m[2], p)
		}
		if !scanner {
			line++
		}
	} else {
		msg = "YAML syntax error: " + strings.TrimPrefix(first, "yaml: ")
		if off := badByte(data); off >= 0 {
			line = bytes.Count(data[:off], []byte("\n")) + 1
			col = off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
			return line, col, msg
		}
	}
	lines := bytes.Split(data, []byte("\n"))
	if line > len(lines) {
		line = len(lines)
	}
	if line < 1 {
		line = 1
	}
	text := lines[line-1]
	col = len(text) - len(bytes.TrimLeft(text, " ")) + 1
	return line, col, msg
}

// badByte returns the offset of the first byte YAML does not allow: invalid
// UTF-8 or a control character other than tab, newline and carriage return;
// -1 when there is none.
func badByte(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || r == 0xFFFE || r == 0xFFFF {
			return i
		}
		i += size
	}
	return -1
}

var callout = regexp.MustCompile(`[ \t]+<\d{1,2}>[ \t]*$`)

// stripCallouts blanks AsciiDoc callouts at line ends ("action: x <1>"),
// keeping every other byte where it was so positions do not move. It returns
// the 1-based line and column of the first callout and whether there was one.
func stripCallouts(data []byte) (out []byte, line, col int, found bool) {
	out = append([]byte(nil), data...)
	start := 0
	for n := 1; start <= len(out); n++ {
		end := bytes.IndexByte(out[start:], '\n')
		if end < 0 {
			end = len(out) - start
		}
		text := bytes.TrimSuffix(out[start:start+end], []byte("\r"))
		if loc := callout.FindIndex(text); loc != nil {
			if !found {
				line, col, found = n, bytes.IndexByte(text[loc[0]:], '<')+loc[0]+1, true
			}
			for i := loc[0]; i < loc[1]; i++ {
				text[i] = ' '
			}
		}
		start += end + 1
	}
	return out, line, col, found
}
