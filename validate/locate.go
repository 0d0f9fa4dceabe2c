package validate

import (
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// pathSegment is one step of a field path: a field or map key (name) or a
// list index.
type pathSegment struct {
	name  string
	index int
	isIdx bool
}

// splitPath parses field paths as field.Path prints them:
// spec.template.spec.domain.devices.interfaces[0].ports[1].port and
// metadata.annotations[vmhealth.io/ignore].
func splitPath(path string) []pathSegment {
	segs := make([]pathSegment, 0, strings.Count(path, ".")+strings.Count(path, "[")+1)
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
				segs = append(segs, pathSegment{index: i, isIdx: true})
			} else {
				segs = append(segs, pathSegment{name: inner})
			}
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs = append(segs, pathSegment{name: path[:end]})
			path = path[end:]
		}
	}
	return segs
}

// walkPath follows path from root. It returns the node that names the
// deepest segment it could follow (a mapping key, or a list item) and that
// segment's value, and whether it followed the whole path.
func walkPath(root *yaml.Node, path string) (at, value *yaml.Node, complete bool) {
	cur := resolve(root)
	at = cur
	for _, seg := range splitPath(path) {
		cur = resolve(cur)
		if cur == nil {
			return at, nil, false
		}
		var next, key *yaml.Node
		switch {
		case seg.isIdx && cur.Kind == yaml.SequenceNode && seg.index >= 0 && seg.index < len(cur.Content):
			next = cur.Content[seg.index]
			key = next
		case !seg.isIdx && cur.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == seg.name {
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

// locate returns the node to point a user at for the field at path: the key
// that names it, or the nearest written ancestor's key.
func locate(root *yaml.Node, path string) *yaml.Node {
	at, _, _ := walkPath(root, path)
	return at
}

// lookup returns the value at path, or nil when it is not written.
func lookup(root *yaml.Node, path string) *yaml.Node {
	_, v, ok := walkPath(root, path)
	if !ok {
		return nil
	}
	return v
}
