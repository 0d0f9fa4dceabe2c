package yamledit

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrNotEditable says that an edit would have to touch text the editor
// cannot rewrite without guessing (a multi-line scalar, a flow mapping, a
// key sharing its line with a list dash); callers leave such places alone.
var ErrNotEditable = errors.New("not editable in place")

// Entry is one key of a mapping with its value, as the parser placed them.
type Entry struct {
	// Mapping holds the key; Index is the key's index in Mapping.Content.
	Mapping *yaml.Node
	Index   int
}

// Key returns the key node.
func (e Entry) Key() *yaml.Node { return e.Mapping.Content[e.Index] }

// Value returns the value node.
func (e Entry) Value() *yaml.Node { return e.Mapping.Content[e.Index+1] }

// At returns the mapping entry whose key or value starts at line and column
// (1-based, columns in characters, as the parser counts them), searching
// every document of the file. A block mapping starts where its first key
// does, so the deepest entry wins: the key written there.
func (f *File) At(line, col int) (Entry, bool) {
	var found Entry
	var ok bool
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if (k.Line == line && k.Column == col) || (v.Line == line && v.Column == col) {
					found, ok = Entry{Mapping: n, Index: i}, true
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, d := range f.Docs {
		walk(d)
	}
	return found, ok
}

// token returns the index of the line of a single-line scalar and the byte
// range of its text in that line, quotes included.
func (f *File) token(n *yaml.Node) (int, int, int, error) {
	if n.Kind != yaml.ScalarNode || n.Line < 1 || n.Line > len(f.Lines) {
		return 0, 0, 0, fmt.Errorf("%w: not a scalar on a known line", ErrNotEditable)
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || n.Anchor != "" || n.Tag != "" && n.Style&yaml.TaggedStyle != 0 {
		return 0, 0, 0, fmt.Errorf("%w: line %d: a block, anchored or tagged scalar", ErrNotEditable, n.Line)
	}
	li := n.Line - 1
	line := f.Lines[li]
	prefix, ok := RunePrefix(line, n.Column-1)
	if !ok {
		return 0, 0, 0, fmt.Errorf("%w: line %d: column %d is past the end", ErrNotEditable, n.Line, n.Column)
	}
	start := len(prefix)
	rest := line[start:]
	end := -1
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0 && strings.HasPrefix(rest, `"`):
		for i := 1; i < len(rest); i++ {
			if rest[i] == '\\' {
				i++
				continue
			}
			if rest[i] == '"' {
				end = i + 1
				break
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0 && strings.HasPrefix(rest, "'"):
		for i := 1; i < len(rest); i++ {
			if rest[i] == '\'' {
				if i+1 < len(rest) && rest[i+1] == '\'' {
					i++
					continue
				}
				end = i + 1
				break
			}
		}
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && strings.HasPrefix(rest, n.Value):
		end = len(n.Value)
	}
	if end < 0 {
		return 0, 0, 0, fmt.Errorf("%w: line %d: the scalar %q does not end on its line", ErrNotEditable, n.Line, n.Value)
	}
	return li, start, start + end, nil
}

// SetScalar replaces the text of the single-line scalar n with text, which
// must be valid YAML for a scalar in that place (callers pass a plain word
// or a quoted string). Nothing else on the line changes.
func (f *File) SetScalar(n *yaml.Node, text string) error {
	li, from, to, err := f.token(n)
	if err != nil {
		return err
	}
	if strings.ContainsAny(text, "\n\r") {
		return fmt.Errorf("%w: a scalar's new text spans lines", ErrNotEditable)
	}
	lines := append([]string(nil), f.Lines...)
	lines[li] = lines[li][:from] + text + lines[li][to:]
	return f.Splice(0, len(f.Lines), lines)
}

// Unquote rewrites the quoted single-line scalar n as the plain scalar of
// the same characters, so "8080" becomes 8080.
func (f *File) Unquote(n *yaml.Node) error {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return fmt.Errorf("%w: line %d: the scalar is not quoted", ErrNotEditable, n.Line)
	}
	return f.SetScalar(n, n.Value)
}

// DeleteEntry removes the key and its whole block (its value, the comments
// inside it and the comment on the key's line). The key must start its
// line and must not be the only key of its mapping, whose value would
// otherwise turn null.
func (f *File) DeleteEntry(e Entry) error {
	m, k, v := e.Mapping, e.Key(), e.Value()
	if m.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("%w: line %d: a flow mapping", ErrNotEditable, k.Line)
	}
	if len(m.Content) <= 2 {
		return fmt.Errorf("%w: line %d: %q is the only key of its mapping", ErrNotEditable, k.Line, k.Value)
	}
	li := k.Line - 1
	if li < 0 || li >= len(f.Lines) {
		return fmt.Errorf("%w: line %d: the key is not where the parser put it", ErrNotEditable, k.Line)
	}
	prefix, ok := RunePrefix(f.Lines[li], k.Column-1)
	if !ok || strings.TrimSpace(prefix) != "" {
		return fmt.Errorf("%w: line %d: %q shares its line with a list dash", ErrNotEditable, k.Line, k.Value)
	}
	return f.Splice(li, f.BlockEnd(k, v), nil)
}
