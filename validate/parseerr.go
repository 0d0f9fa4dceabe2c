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
