package validate

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseErrorPosition turns a YAML parser error into a line within the
// document, a column and a message. The parser reports lines only; the
// column is that of the first character on the line, which is where the
// construct it could not read begins in almost every case.
func parseErrorPosition(err error, data []byte) (line, col int, msg string) {
	msg = err.Error()
	line, col = 1, 1
	first, _, _ := strings.Cut(msg, "\n")
	if m := yamlErrLine.FindStringSubmatch(first); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = "YAML syntax error: " + m[2]
	} else {
		msg = "YAML syntax error: " + strings.TrimPrefix(first, "yaml: ")
	}
	if line < 1 {
		line = 1
	}
	lines := bytes.Split(data, []byte("\n"))
	if line <= len(lines) {
		text := lines[line-1]
		col = len(text) - len(bytes.TrimLeft(text, " \t")) + 1
	}
	return line, col, msg
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
