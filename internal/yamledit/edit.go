// Package yamledit edits YAML text through its node tree while keeping
// every byte it does not change: comments, key order, quoting and
// indentation. gen --into and lint --fix both edit files with it.
package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// A File edits YAML text through its node tree without re-serialising
// it: each edit finds the lines of the subtree it changes, encodes only the
// new subtree in the file's own indentation, and splices it in, so every
// other byte stays as it was, comments and quoting included. After an edit
// the file is parsed again, so the next edit sees fresh positions.
type File struct {
	// Lines are the file's lines without line endings.
	Lines []string
	// EOL is "\n" or "\r\n", as the file has it.
	EOL string
	// Final says whether the file ends with a line ending.
	Final bool
	// Docs are the parsed documents, fresh after every edit.
	Docs []*yaml.Node
	// overBlank makes edits end after the blank lines that follow a
	// block rather than before them. It is the fallback for a block that
	// ends in a literal scalar, which whitespace-only lines after it would
	// otherwise join.
	OverBlank bool
}

// Style is how a document indents: the width of one level, and
// whether a list under a key starts at the key's column (kubectl's way) or
// one level further in.
type Style struct {
	// Indent is the width of one level.
	Indent int
	// Compact says whether a list under a key starts at the key's column.
	Compact bool
}

// Parse reads data as one or more YAML documents. It refuses line breaks
// other than LF and CRLF, whose lines the parser would count differently.
func Parse(data []byte) (*File, error) {
	f := &File{EOL: "\n"}
	if bytes.Contains(data, []byte("\r\n")) {
		f.EOL = "\r\n"
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	// YAML also breaks lines at a lone CR, NEL, LS and PS; the line
	// positions the parser reports would then not match the lines here.
	if strings.ContainsAny(text, "\r\u0085\u2028\u2029") {
		return nil, errors.New("the file breaks lines with CR, NEL, LS or PS characters; only LF and CRLF line endings can be edited")
	}
	f.Final = strings.HasSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\n")
	if text != "" {
		f.Lines = strings.Split(text, "\n")
	}
	if err := f.Reparse(); err != nil {
		return nil, err
	}
	return f, nil
}

// Bytes returns the file's text with its own line endings.
func (f *File) Bytes() []byte {
	out := strings.Join(f.Lines, f.EOL)
	if f.Final && len(f.Lines) > 0 {
		out += f.EOL
	}
	return []byte(out)
}

// Reparse parses Lines again into Docs.
func (f *File) Reparse() error {
	dec := yaml.NewDecoder(bytes.NewReader([]byte(strings.Join(f.Lines, "\n") + "\n")))
	f.Docs = nil
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		f.Docs = append(f.Docs, &doc)
	}
	return nil
}

// DetectStyle reads the indentation of a document from its first nested
// mapping and its first list under a key; two spaces and kubectl's
// compact lists when the document has neither.
func DetectStyle(root *yaml.Node) Style {
	st := Style{}
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
				if st.Indent == 0 && v.Column > k.Column {
					st.Indent = v.Column - k.Column
				}
				walk(v)
			case yaml.SequenceNode:
				if !foundSeq {
					foundSeq = true
					st.Compact = v.Column == k.Column
				}
				for _, item := range v.Content {
					walk(item)
				}
			}
		}
	}
	walk(root)
	if st.Indent == 0 {
		st.Indent = 2
	}
	if !foundSeq {
		st.Compact = true
	}
	return st
}

// EncodeLines encodes n in the style and returns its lines.
func (st Style) EncodeLines(n *yaml.Node) ([]string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(st.Indent)
	if st.Compact {
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

// IndentOf counts the leading spaces of a line.
func IndentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// BlockEnd returns the index (0-based, exclusive) of the line after the
// block of the key at key: the key's line and the lines below it that are
// indented deeper than the key, or as deep and starting a list item when
// the value is a list written at the key's column. Blank lines and
// comments at the end of the block are left outside it: they belong to
// what follows.
func (f *File) BlockEnd(key, value *yaml.Node) int {
	keyIndent := key.Column - 1
	compactSeq := value != nil && value.Kind == yaml.SequenceNode && value.Style&yaml.FlowStyle == 0 && value.Column == key.Column
	last := key.Line // 0-based index of the line after the key's
	for i := key.Line; i < len(f.Lines); i++ {
		line := f.Lines[i]
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		ind := IndentOf(line)
		inside := ind > keyIndent ||
			(compactSeq && ind == keyIndent && (trimmed == "-" || strings.HasPrefix(trimmed, "- ")))
		if !inside {
			break
		}
		if !strings.HasPrefix(trimmed, "#") {
			last = i + 1
		}
	}
	if f.OverBlank {
		for last < len(f.Lines) && strings.TrimSpace(f.Lines[last]) == "" {
			last++
		}
	}
	return last
}

// RunePrefix returns the first n characters of line, which the parser
// counts in runes.
func RunePrefix(line string, n int) (string, bool) {
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

// Splice replaces lines [from, to) with repl.
func (f *File) Splice(from, to int, repl []string) error {
	if from < 0 || to < from || to > len(f.Lines) {
		return fmt.Errorf("internal error: lines %d to %d of %d", from, to, len(f.Lines))
	}
	lines := make([]string, 0, len(f.Lines)-(to-from)+len(repl))
	lines = append(lines, f.Lines[:from]...)
	lines = append(lines, repl...)
	lines = append(lines, f.Lines[to:]...)
	f.Lines = lines
	return f.Reparse()
}

// IndentLines puts prefix before the first line and indent spaces before
// the others, leaving empty lines empty.
func IndentLines(lines []string, prefix string, indent int) []string {
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

// ReplaceKey rewrites the block of the key at key as key: value, keeping
// whatever precedes the key on its line (indentation, or "- " of a list
// item).
func (f *File) ReplaceKey(key, oldValue, value *yaml.Node, st Style) error {
	enc, err := st.EncodeLines(pair(key.Value, value))
	if err != nil {
		return err
	}
	start := key.Line - 1
	if start < 0 || start >= len(f.Lines) {
		return fmt.Errorf("line %d: key %q is not where the parser put it", key.Line, key.Value)
	}
	line := f.Lines[start]
	prefix, ok := RunePrefix(line, key.Column-1)
	if !ok || !strings.HasPrefix(line[len(prefix):], key.Value) && key.Style == 0 {
		return fmt.Errorf("line %d: key %q is not where the parser put it", key.Line, key.Value)
	}
	repl := IndentLines(enc, prefix, key.Column-1)
	return f.Splice(start, f.BlockEnd(key, oldValue), repl)
}

// AppendKey adds key: value to the block mapping m: after the key named
// after when m has it, at the end otherwise.
func (f *File) AppendKey(m *yaml.Node, key string, value *yaml.Node, st Style, after string) error {
	if len(m.Content) < 2 || m.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("AppendKey needs a non-empty block mapping")
	}
	lastKey, lastValue := m.Content[len(m.Content)-2], m.Content[len(m.Content)-1]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if after != "" && m.Content[i].Value == after {
			lastKey, lastValue = m.Content[i], m.Content[i+1]
		}
	}
	enc, err := st.EncodeLines(pair(key, value))
	if err != nil {
		return err
	}
	col := m.Content[0].Column - 1
	at := f.BlockEnd(lastKey, lastValue)
	return f.Splice(at, at, IndentLines(enc, strings.Repeat(" ", col), col))
}

// AppendItem adds item at the end of the non-empty block sequence seq,
// the value of key.
func (f *File) AppendItem(key, seq, item *yaml.Node, st Style) error {
	if len(seq.Content) == 0 || seq.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("AppendItem needs a non-empty block sequence")
	}
	enc, err := st.EncodeLines(item)
	if err != nil {
		return err
	}
	dash := seq.Column - 1
	at := f.BlockEnd(key, seq)
	return f.Splice(at, at, IndentLines(enc, strings.Repeat(" ", dash)+"- ", dash+2))
}

// pair is the one-key mapping key: value.
func pair(key string, value *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value,
	}}
}
