// Package yamlpos holds what every reader of YAML in vmhealth shares: the
// field-path walker over node trees (aliases followed) and the converter of
// a node tree to JSON.
package yamlpos

import (
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Segment is one step of a field path: a field or map key (name) or a
// list index.
type Segment struct {
	Name  string
	Index int
	IsIdx bool
}

// SplitPath parses field paths as field.Path prints them:
// spec.template.spec.domain.devices.interfaces[0].ports[1].port and
// metadata.annotations[vmhealth.io/ignore].
func SplitPath(path string) []Segment {
	segs := make([]Segment, 0, strings.Count(path, ".")+strings.Count(path, "[")+1)
	for len(path) > 0 {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return segs
			}
			inner := path[1:end]
			if i, err := strconv.Atoi(inner); err == nil {
				segs = append(segs, Segment{Index: i, IsIdx: true})
			} else {
				segs = append(segs, Segment{Name: inner})
			}
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs = append(segs, Segment{Name: path[:end]})
			path = path[end:]
		}
	}
	return segs
}

// Walk follows path from root. It returns the node that names the
// deepest segment it could follow (a mapping key, or a list item) and that
// segment's value, and whether it followed the whole path.
func Walk(root *yaml.Node, path string) (at, value *yaml.Node, complete bool) {
	return WalkSegments(root, SplitPath(path))
}

// WalkSegments is Walk over a path already split into segments.
func WalkSegments(root *yaml.Node, path []Segment) (at, value *yaml.Node, complete bool) {
	cur := Resolve(root)
	at = cur
	for _, seg := range path {
		cur = Resolve(cur)
		if cur == nil {
			return at, nil, false
		}
		var next, key *yaml.Node
		switch {
		case seg.IsIdx && cur.Kind == yaml.SequenceNode && seg.Index >= 0 && seg.Index < len(cur.Content):
			next = cur.Content[seg.Index]
			key = next
		case !seg.IsIdx && cur.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == seg.Name {
					key, next = cur.Content[i], cur.Content[i+1]
					break
				}
			}
		}
		if next == nil {
			return at, nil, false
		}
		at, cur = key, next
	}
	return at, cur, true
}

// Locate returns the node to point a user at for the field at path: the key
// that names it, or the nearest written ancestor's key.
func Locate(root *yaml.Node, path string) *yaml.Node {
	at, _, _ := Walk(root, path)
	return at
}

// Lookup returns the value at path, or nil when it is not written.
func Lookup(root *yaml.Node, path string) *yaml.Node {
	_, v, ok := Walk(root, path)
	if !ok {
		return nil
	}
	return v
}

// Resolve follows aliases and unwraps document nodes.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 64; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}
