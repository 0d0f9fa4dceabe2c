package lsp

import (
	"strings"
	"unicode/utf8"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// Positions: the linter counts lines and columns from 1, columns in
// characters (runes), as the YAML parser does; LSP counts both from 0 and
// columns in UTF-16 code units, so a character outside the Basic
// Multilingual Plane (an emoji in a comment) is two. Every conversion
// between the two goes through these functions.

// lineAt returns line n (0-based) of text without its line ending, and
// the byte offset where it starts; ok is false past the last line.
func lineAt(text string, n int) (line string, start int, ok bool) {
	for i := 0; i < n; i++ {
		j := strings.IndexByte(text[start:], '\n')
		if j < 0 {
			return "", len(text), false
		}
		start += j + 1
	}
	line = text[start:]
	if j := strings.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	return strings.TrimSuffix(line, "\r"), start, true
}

// utf16Len counts the UTF-16 code units of s.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// runeByte returns the byte offset in line of the rune at index col
// (0-based), or len(line) past its end.
func runeByte(line string, col int) int {
	for i := range line {
		if col == 0 {
			return i
		}
		col--
	}
	return len(line)
}

// utf16Byte returns the byte offset in line of UTF-16 offset char; an
// offset inside a surrogate pair or past the end is rounded up to the
// next character or the end, as the protocol asks.
func utf16Byte(line string, char int) int {
	n := 0
	for i, r := range line {
		if n >= char {
			return i
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return len(line)
}

// offsetOf returns the byte offset in text of an LSP position, clamped to
// the text.
func offsetOf(text string, p protocol.Position) int {
	line, start, ok := lineAt(text, int(p.Line))
	if !ok {
		return len(text)
	}
	return start + utf16Byte(line, int(p.Character))
}

// positionOf returns the LSP position of byte offset off in text.
func positionOf(text string, off int) protocol.Position {
	off = min(max(off, 0), len(text))
	for off > 0 && off < len(text) && !utf8.RuneStart(text[off]) {
		off--
	}
	before := text[:off]
	line := strings.Count(before, "\n")
	start := strings.LastIndexByte(before, '\n') + 1
	return protocol.Position{Line: uint32(line), Character: uint32(utf16Len(strings.TrimSuffix(before[start:], "\r")))}
}

// applyChange applies an incremental change to text.
func applyChange(text string, c protocol.TextDocumentContentChangeEvent) string {
	from, to := offsetOf(text, c.Range.Start), offsetOf(text, c.Range.End)
	if to < from {
		from, to = to, from
	}
	return text[:from] + c.Text + text[to:]
}

// tokenEnd returns the byte offset in line just after the YAML token (a
// key, a scalar, a quoted string, a flow collection) that starts at byte
// offset from: the end of a diagnostic's range.
func tokenEnd(line string, from int) int {
	if from >= len(line) {
		return len(line)
	}
	switch line[from] {
	case '"':
		for i := from + 1; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(line)
	case '\'':
		for i := from + 1; i < len(line); i++ {
			if line[i] == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return len(line)
	case '{', '[':
		depth := 0
		for i := from; i < len(line); i++ {
			switch line[i] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(line)
	case '-':
		if from+1 == len(line) || line[from+1] == ' ' {
			// A list item: the range is the item's first token.
			i := from + 1
			for i < len(line) && line[i] == ' ' {
				i++
			}
			if i == len(line) {
				return from + 1
			}
			return tokenEnd(line, i)
		}
	}
	// Inside a flow collection (JSON, {a: 1}) a comma or a closing
	// bracket ends a plain scalar; in block YAML they are part of it.
	flow := strings.ContainsAny(line[:from], "{[")
	end := len(line)
	for i := from; i < len(line); i++ {
		c := line[i]
		if c == ':' && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t' || flow) ||
			c == '#' && i > from && (line[i-1] == ' ' || line[i-1] == '\t') ||
			flow && (c == ',' || c == '}' || c == ']') {
			end = i
			break
		}
	}
	return from + len(strings.TrimRight(line[from:end], " \t"))
}
