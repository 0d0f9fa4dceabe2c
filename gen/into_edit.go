package gen

import (
	"errors"
	"fmt"
	"reflect"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/yamledit"
)

// set writes value at path, replacing what is there or adding the keys
// that are missing. It reports whether something was replaced. It then
// reads the value back, and when the lines around it changed its meaning
// (whitespace-only lines after a literal block join it), edits again with
// those lines inside the edit.
func (o *fileObject) set(path []any, value *yaml.Node, st yamledit.Style) (bool, error) {
	return o.checked(path, value, func() (bool, error) { return o.setOnce(path, value, st) })
}

// checked runs edit and verifies that path then holds want, retrying once
// with the edit extended over blank lines.
func (o *fileObject) checked(path []any, want *yaml.Node, edit func() (bool, error)) (bool, error) {
	saved := slices.Clone(o.f.Lines)
	replaced, err := edit()
	if err != nil || holds(o.root(), path, want) {
		return replaced, err
	}
	o.f.Lines = saved
	o.f.OverBlank = true
	defer func() { o.f.OverBlank = false }()
	if err := o.f.Reparse(); err != nil {
		return false, err
	}
	if replaced, err = edit(); err != nil {
		return false, err
	}
	if !holds(o.root(), path, want) {
		return false, fmt.Errorf("%s: the edited file does not read back as written; vmhealth cannot edit this file safely", pathString(path))
	}
	return replaced, nil
}

// holds reports whether the node at path decodes to the same as want.
func holds(root *yaml.Node, path []any, want *yaml.Node) bool {
	got := getPath(root, path)
	if got == nil {
		return false
	}
	var a, b any
	if got.Decode(&a) != nil || want.Decode(&b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

func (o *fileObject) setOnce(path []any, value *yaml.Node, st yamledit.Style) (replaced bool, err error) {
	cur := o.root()
	var curKey *yaml.Node // the key whose value cur is; nil for the root and list items
	for i, p := range path {
		switch p := p.(type) {
		case int:
			if cur.Kind != yaml.SequenceNode || p >= len(cur.Content) {
				return false, fmt.Errorf("%s: no item %d", pathString(path[:i]), p)
			}
			cur, curKey = cur.Content[p], nil
		case string:
			if cur.Kind != yaml.MappingNode || cur.Style&yaml.FlowStyle != 0 || len(cur.Content) == 0 {
				// A flow mapping ({}), an empty or a null value: rewrite it
				// whole, as a block mapping with the new keys.
				if curKey == nil {
					return false, fmt.Errorf("%s is written in flow style (JSON), which --into does not edit; use -o patch", pathString(path[:i]))
				}
				merged := blockCopy(cur)
				setInTree(merged, path[i:], value)
				return false, o.f.ReplaceKey(curKey, cur, merged, st)
			}
			var k, v *yaml.Node
			for j := 0; j+1 < len(cur.Content); j += 2 {
				if cur.Content[j].Value == p {
					k, v = cur.Content[j], cur.Content[j+1]
				}
			}
			if k == nil {
				rest := make([]string, 0, len(path)-i-1)
				for _, q := range path[i+1:] {
					s, ok := q.(string)
					if !ok {
						return false, fmt.Errorf("%s: cannot create a list item", pathString(path))
					}
					rest = append(rest, s)
				}
				return false, o.f.AppendKey(cur, p, nest(value, rest...), st, neighbour[p])
			}
			if i == len(path)-1 {
				return true, o.f.ReplaceKey(k, v, value, st)
			}
			cur, curKey = v, k
		}
	}
	return false, errors.New("empty path")
}

// neighbour places a new key next to a related one, so that the two probes
// end up side by side.
var neighbour = map[string]string{"readinessProbe": "livenessProbe", "livenessProbe": "readinessProbe"}

// blockCopy returns a mapping holding n's pairs, in block style; a scalar
// (null) gives an empty mapping.
func blockCopy(n *yaml.Node) *yaml.Node {
	m := mapNode()
	if n.Kind == yaml.MappingNode {
		m.Content = append(m.Content, n.Content...)
	}
	return m
}

// setInTree sets value at the keys of path in the mapping m, creating
// mappings on the way.
func setInTree(m *yaml.Node, path []any, value *yaml.Node) {
	for i, p := range path {
		key := p.(string)
		if i == len(path)-1 {
			setKey(m, key, value)
			return
		}
		next := getKey(m, key)
		if next == nil || next.Kind != yaml.MappingNode {
			next = mapNode()
			setKey(m, key, next)
		} else {
			next = blockCopy(next)
			setKey(m, key, next)
		}
		m = next
	}
}

// appendToList adds item to the list at path, creating the list when it
// is missing and rewriting it when it is empty or in flow style.
func (o *fileObject) appendToList(path []any, item *yaml.Node, st yamledit.Style) error {
	parent := getPath(o.root(), path[:len(path)-1])
	key := path[len(path)-1].(string)
	var k, seq *yaml.Node
	if parent != nil && parent.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(parent.Content); j += 2 {
			if parent.Content[j].Value == key {
				k, seq = parent.Content[j], parent.Content[j+1]
			}
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 || seq.Style&yaml.FlowStyle != 0 {
		items := seqNode()
		if seq != nil && seq.Kind == yaml.SequenceNode {
			items.Content = append(items.Content, seq.Content...)
		}
		items.Content = append(items.Content, item)
		_, err := o.set(path, items, st)
		return err
	}
	last := append(slices.Clone(path), len(seq.Content))
	_, err := o.checked(last, item, func() (bool, error) { return false, o.f.AppendItem(k, seq, item, st) })
	return err
}
