package fastyaml

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Tags go-yaml gives nodes.
const (
	tagStr   = "!!str"
	tagNull  = "!!null"
	tagBool  = "!!bool"
	tagInt   = "!!int"
	tagMap   = "!!map"
	tagSeq   = "!!seq"
	maxDepth = 100
	maxKey   = 1000 // go-yaml refuses simple keys longer than 1024 characters
)

// resolve gives the tag go-yaml resolves a plain scalar to. The common
// cases are decided here; a scalar that could be a number or a timestamp
// in one of YAML's many spellings is handed to go-yaml itself, so the
// answer is always go-yaml's. ok is false when go-yaml does not read the
// text back as the same plain scalar.
func resolve(s string) (tag string, ok bool) {
	switch s {
	case "~", "null", "Null", "NULL":
		return tagNull, true
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return tagBool, true
	case "<<":
		return "", false // a merge key
	}
	c := s[0]
	if !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
		return tagStr, true
	}
	if isDecimal(s) {
		return tagInt, true
	}
	if !strings.Contains(".inf.Inf.INF.nan.NaN.NAN", s[1:]) { // .inf, -.inf, .nan, …
		for i := 0; i < len(s); i++ {
			if !numberish(s[i]) {
				return tagStr, true
			}
		}
	}
	return resolveSlow(s)
}

// isDecimal reports a decimal integer without leading zeros that fits in
// an int64: what every YAML schema reads as an integer.
func isDecimal(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numberish reports a byte that can occur in a YAML number or timestamp.
func numberish(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		return true
	}
	return strings.IndexByte("xXoO_.+-:tTzZ ", c) >= 0
}

// resolveSlow asks go-yaml.
func resolveSlow(s string) (string, bool) {
	var n yaml.Node
	if yaml.Unmarshal([]byte(s), &n) != nil || n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
		return "", false
	}
	c := n.Content[0]
	if c.Kind != yaml.ScalarNode || c.Style != 0 || c.Value != s {
		return "", false
	}
	return c.Tag, true
}

// indicator reports a byte that may not begin a plain scalar here, or
// that begins one only in ways Parse leaves to go-yaml.
func indicator(c byte) bool {
	return strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", c) >= 0
}

// quoted reads the double- or single-quoted scalar that opens at src[j]
// (a quote) and closes before end, with its style and the offset after
// the closing quote.
func quoted(src string, j, end int) (val string, after int, style yaml.Style, ok bool) {
	if src[j] == '"' {
		val, after, ok = doubleQuoted(src, j, end)
		return val, after, yaml.DoubleQuotedStyle, ok
	}
	val, after, ok = singleQuoted(src, j, end)
	return val, after, yaml.SingleQuotedStyle, ok
}

// doubleQuoted reads a double-quoted scalar that opens at src[j] and
// closes on the same line (before end), with the escapes \\ \" \/ \n \t.
// It returns the value and the offset after the closing quote.
func doubleQuoted(src string, j, end int) (string, int, bool) {
	var b []byte
	from := j + 1
	for k := j + 1; k < end; k++ {
		switch src[k] {
		case '"':
			if b == nil {
				return src[from:k], k + 1, true
			}
			return string(append(b, src[from:k]...)), k + 1, true
		case '\\':
			if k+1 >= end {
				return "", 0, false
			}
			b = append(b, src[from:k]...)
			switch src[k+1] {
			case '\\', '"', '/':
				b = append(b, src[k+1])
			case 'n':
				b = append(b, '\n')
			case 't':
				b = append(b, '\t')
			default:
				return "", 0, false
			}
			k++
			from = k + 1
		}
	}
	return "", 0, false
}

// singleQuoted reads a single-quoted scalar that opens at src[j] and
// closes on the same line, where a doubled quote stands for one.
func singleQuoted(src string, j, end int) (string, int, bool) {
	var b []byte
	from := j + 1
	for k := j + 1; k < end; k++ {
		if src[k] != '\'' {
			continue
		}
		if k+1 < end && src[k+1] == '\'' {
			b = append(b, src[from:k+1]...)
			k++
			from = k + 1
			continue
		}
		if b == nil {
			return src[from:k], k + 1, true
		}
		return string(append(b, src[from:k]...)), k + 1, true
	}
	return "", 0, false
}
