package gen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// A yamlFile edits YAML text through its node tree without re-serialising
// it: each edit finds the lines of the subtree it changes, encodes only the
// new subtree in the file's own indentation, and splices it in, so every
// other byte stays as it was, comments and quoting included. After an edit
// the file is parsed again, so the next edit sees fresh positions.
type yamlFile struct {
	lines []string // without line endings
	eol   string   // "\n" or "\r\n", as the file has it
	final bool     // whether the file ends with a line ending
	docs  []*yaml.Node
	// overBlank makes edits end after the blank lines that follow a
	// block rather than before them. It is the fallback for a block that
	// ends in a literal scalar, which whitespace-only lines after it would
	// otherwise join.
	overBlank bool
}

// yamlStyle is how a document indents: the width of one level, and
// whether a list under a key starts at the key's column (kubectl's way) or
// one level further in.
type yamlStyle struct {
	indent  int
	compact bool
}

func parseYAMLFile(data []byte) (*yamlFile, error) {
	f := &yamlFile{eol: "\n"}
	if bytes.Contains(data, []byte("\r\n")) {
		f.eol = "\r\n"
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	// YAML also breaks lines at a lone CR, NEL, LS and PS; the line
	// positions the parser reports would then not match the lines here.
	if strings.ContainsAny(text, "\r\u0085\u2028\u2029") {
		return nil, errors.New("the file breaks lines with CR, NEL, LS or PS characters; only LF and CRLF line endings can be edited")
	}
	f.final = strings.HasSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\n")
	if text != "" {
		f.lines = strings.Split(text, "\n")
	}
	if err := f.reparse(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *yamlFile) bytes() []byte {
	out := strings.Join(f.lines, f.eol)
	if f.final && len(f.lines) > 0 {
		out += f.eol
	}
	return []byte(out)
}

func (f *yamlFile) reparse() error {
	dec := yaml.NewDecoder(bytes.NewReader([]byte(strings.Join(f.lines, "\n") + "\n")))
	f.docs = nil
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		f.docs = append(f.docs, &doc)
	}
	return nil
}

// detectStyle reads the indentation of a document from its first nested
// mapping and its first list under a key; two spaces and kubectl's
// compact lists when the document has neither.
func detectStyle(root *yaml.Node) yamlStyle {
	st := yamlStyle{}
	var foundSeq bool
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind != yaml.MappingNode || n.Style&yaml.FlowStyle != 0 {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Style&yaml.FlowStyle != 0 || v.Line == k.Line {
				continue
			}
			switch v.Kind {
			case yaml.MappingNode:
				if st.indent == 0 && v.Column > k.Column {
					st.indent = v.Column - k.Column
				}
				walk(v)
			case yaml.SequenceNode:
				if !foundSeq {
					foundSeq = true
					st.compact = v.Column == k.Column
				}
				for _, item := range v.Content {
					walk(item)
				}
			}
		}
	}
	walk(root)
	if st.indent == 0 {
		st.indent = 2
	}
	if !foundSeq {
		st.compact = true
	}
	return st
}

// encodeLines encodes n in the style and returns its lines.
func (st yamlStyle) encodeLines(n *yaml.Node) ([]string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(st.indent)
	if st.compact {
		enc.CompactSeqIndent()
	}
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n"), nil
}

// indentOf counts the leading spaces of a line.
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// blockEnd returns the index (0-based, exclusive) of the line after the
// block of the key at key: the key's line and the lines below it that are
// indented deeper than the key, or as deep and starting a list item when
// the value is a list written at the key's column. Blank lines and
// comments at the end of the block are left outside it: they belong to
// what follows.
func (f *yamlFile) blockEnd(key, value *yaml.Node) int {
	keyIndent := key.Column - 1
	compactSeq := value != nil && value.Kind == yaml.SequenceNode && value.Style&yaml.FlowStyle == 0 && value.Column == key.Column
	last := key.Line // 0-based index of the line after the key's
	for i := key.Line; i < len(f.lines); i++ {
		line := f.lines[i]
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		ind := indentOf(line)
		inside := ind > keyIndent ||
			(compactSeq && ind == keyIndent && (trimmed == "-" || strings.HasPrefix(trimmed, "- ")))
		if !inside {
			break
		}
		if !strings.HasPrefix(trimmed, "#") {
			last = i + 1
		}
	}
	if f.overBlank {
		for last < len(f.lines) && strings.TrimSpace(f.lines[last]) == "" {
			last++
		}
	}
	return last
}

// runePrefix returns the first n characters of line, which the parser
// counts in runes.
func runePrefix(line string, n int) (string, bool) {
	if n < 0 {
		return "", false
	}
	i := 0
	for range n {
		if i >= len(line) {
			return "", false
		}
		_, size := utf8.DecodeRuneInString(line[i:])
		i += size
	}
	return line[:i], true
}

// splice replaces lines [from, to) with repl.
func (f *yamlFile) splice(from, to int, repl []string) error {
	if from < 0 || to < from || to > len(f.lines) {
		return fmt.Errorf("internal error: lines %d to %d of %d", from, to, len(f.lines))
	}
	lines := make([]string, 0, len(f.lines)-(to-from)+len(repl))
	lines = append(lines, f.lines[:from]...)
	lines = append(lines, repl...)
	lines = append(lines, f.lines[to:]...)
	f.lines = lines
	return f.reparse()
}

// indentLines puts prefix before the first line and indent spaces before
// the others, leaving empty lines empty.
func indentLines(lines []string, prefix string, indent int) []string {
	out := make([]string, len(lines))
	pad := strings.Repeat(" ", indent)
	for i, l := range lines {
		switch {
		case i == 0:
			out[i] = prefix + l
		case l == "":
			out[i] = ""
		default:
			out[i] = pad + l
		}
	}
	return out
}

// replaceKey rewrites the block of the key at key as key: value, keeping
// whatever precedes the key on its line (indentation, or "- " of a list
// item).
func (f *yamlFile) replaceKey(key, oldValue, value *yaml.Node, st yamlStyle) error {
	enc, err := st.encodeLines(mapNode(key.Value, value))
	if err != nil {
		return err
	}
	start := key.Line - 1
	if start < 0 || start >= len(f.lines) {
		return fmt.Errorf("line %d: key %q is not where the parser put it", key.Line, key.Value)
	}
	line := f.lines[start]
	prefix, ok := runePrefix(line, key.Column-1)
	if !ok || !strings.HasPrefix(line[len(prefix):], key.Value) && key.Style == 0 {
		return fmt.Errorf("line %d: key %q is not where the parser put it", key.Line, key.Value)
	}
	repl := indentLines(enc, prefix, key.Column-1)
	return f.splice(start, f.blockEnd(key, oldValue), repl)
}

// appendKey adds key: value to the block mapping m: after the key named
// after when m has it, at the end otherwise.
func (f *yamlFile) appendKey(m *yaml.Node, key string, value *yaml.Node, st yamlStyle, after string) error {
	if len(m.Content) < 2 || m.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("appendKey needs a non-empty block mapping")
	}
	lastKey, lastValue := m.Content[len(m.Content)-2], m.Content[len(m.Content)-1]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if after != "" && m.Content[i].Value == after {
			lastKey, lastValue = m.Content[i], m.Content[i+1]
		}
	}
	enc, err := st.encodeLines(mapNode(key, value))
	if err != nil {
		return err
	}
	col := m.Content[0].Column - 1
	at := f.blockEnd(lastKey, lastValue)
	return f.splice(at, at, indentLines(enc, strings.Repeat(" ", col), col))
}

// appendItem adds item at the end of the non-empty block sequence seq,
// the value of key.
func (f *yamlFile) appendItem(key, seq, item *yaml.Node, st yamlStyle) error {
	if len(seq.Content) == 0 || seq.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("appendItem needs a non-empty block sequence")
	}
	enc, err := st.encodeLines(item)
	if err != nil {
		return err
	}
	dash := seq.Column - 1
	at := f.blockEnd(key, seq)
	return f.splice(at, at, indentLines(enc, strings.Repeat(" ", dash)+"- ", dash+2))
}
