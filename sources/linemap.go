package sources

import (
	"bytes"
	"regexp"
	"strings"
)

// part is one YAML document of a rendered file.
type part struct {
	data []byte
	// line is the 1-based line of the rendered file where data starts.
	line int
}

// splitDocuments cuts a rendered file at its "---" lines and drops the
// documents that hold nothing but blank lines and comments (a template
// whose `if` was false renders to that).
func splitDocuments(data []byte) []part {
	var (
		out   []part
		start = 0 // byte offset of the current document
		first = 1 // its first line
		line  = 1
	)
	flush := func(end int) {
		if !onlyComments(data[start:end]) {
			out = append(out, part{data: data[start:end], line: first})
		}
	}
	for off := 0; off < len(data); {
		nl := bytes.IndexByte(data[off:], '\n')
		end := len(data)
		if nl >= 0 {
			end = off + nl + 1
		}
		text := strings.TrimRight(string(data[off:end]), "\r\n")
		if text == "---" || strings.HasPrefix(text, "--- ") || strings.HasPrefix(text, "---\t") {
			flush(off)
			start, first = end, line+1
		}
		off = end
		line++
	}
	flush(len(data))
	return out
}

func onlyComments(b []byte) bool {
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// matcher recognises the rendered lines that one template line can
// produce.
type matcher struct {
	literal string         // a line without actions, compared as it is
	re      *regexp.Regexp // a line with actions: its text around them
	// prefix is how many bytes of the line come before its first action;
	// a column inside them is the same in template and output.
	prefix int
}

// newMatcher returns nil for a line that cannot be told from its output:
// one that is only actions (an `if`, an `include` on its own line) or a
// part of an action over several lines.
func newMatcher(line string) *matcher {
	line = strings.TrimRight(line, " \t\r")
	if !strings.Contains(line, "{{") && !strings.Contains(line, "}}") {
		if strings.TrimSpace(line) == "" {
			return nil
		}
		return &matcher{literal: line, prefix: len(line)}
	}
	if strings.Count(line, "{{") != strings.Count(line, "}}") {
		return nil
	}
	var (
		b       strings.Builder
		text    string
		rest    = line
		visible = false
	)
	b.WriteString("^")
	for {
		open := strings.Index(rest, "{{")
		if open < 0 {
			text = rest
		} else {
			text = rest[:open]
		}
		if strings.TrimSpace(text) != "" {
			visible = true
		}
		if open >= 0 && strings.HasPrefix(rest[open:], "{{-") {
			text = strings.TrimRight(text, " \t")
			b.WriteString(regexp.QuoteMeta(text) + `\s*`)
		} else {
			b.WriteString(regexp.QuoteMeta(text))
		}
		if open < 0 {
			break
		}
		closeAt := strings.Index(rest[open:], "}}")
		if closeAt < 0 {
			return nil
		}
		action := rest[open : open+closeAt+2]
		rest = rest[open+closeAt+2:]
		b.WriteString(`.*?`)
		if strings.HasSuffix(action, "-}}") {
			rest = strings.TrimLeft(rest, " \t")
			b.WriteString(`\s*`)
		}
	}
	b.WriteString("$")
	if !visible {
		return nil
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	return &matcher{re: re, prefix: strings.Index(line, "{{")}
}

func (m *matcher) match(s string) bool {
	if m.re == nil {
		return m.literal == s
	}
	return m.re.MatchString(s)
}

// lineMap maps the lines of one rendered template back to the template.
type lineMap struct {
	// to[i] is the 1-based template line of rendered line i+1, 0 if none.
	to       []int
	matchers []*matcher
}

// newLineMap aligns rendered output with its template: each rendered line
// is matched, in order, to the next template line that could have printed
// it. A line no template line accounts for (one that an include or a
// second pass of a range printed) stays unmapped, so the finding keeps its
// place in the rendered output rather than a guessed one.
func newLineMap(template, rendered []byte) *lineMap {
	tl := strings.Split(string(template), "\n")
	m := &lineMap{matchers: make([]*matcher, len(tl))}
	for i, l := range tl {
		m.matchers[i] = newMatcher(l)
	}
	rl := strings.Split(string(rendered), "\n")
	m.to = make([]int, len(rl))
	next := 0
	for i, r := range rl {
		r = strings.TrimRight(r, " \t\r")
		if strings.TrimSpace(r) == "" || r == "---" {
			continue
		}
		for j := next; j < len(tl); j++ {
			if mt := m.matchers[j]; mt != nil && mt.match(r) {
				m.to[i] = j + 1
				next = j + 1
				break
			}
		}
	}
	return m
}

// locator returns Document.locate for the document that starts at
// rendered line start.
func (m *lineMap) locator(name string, start int) func(line, col int, field string) Position {
	return func(line, col int, _ string) Position {
		fileLine := start + line - 1
		if fileLine-1 < len(m.to) && fileLine >= 1 {
			if t := m.to[fileLine-1]; t > 0 {
				mt := m.matchers[t-1]
				if col-1 >= mt.prefix {
					col = mt.prefix + 1
				}
				return Position{File: name, Line: t, Column: col}
			}
		}
		return Position{File: name, Line: fileLine, Column: col, Rendered: true}
	}
}
