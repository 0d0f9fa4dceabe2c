package sources

import (
	"os"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// kustLocator finds a finding's field in the files a kustomize resource
// was built from.
type kustLocator struct {
	name        string   // the resource file
	kind, built string   // the resource's kind and its name after the build
	patches     []string // every patch file of the build, in order
}

// locate looks for the field in the patches (the last one that sets it
// wins, as in the build) and then in the resource file; a field found in
// none stays at its line in the build's output.
func (k *kustLocator) locate(line, col int, field string) Position {
	if field != "" {
		for i := len(k.patches) - 1; i >= 0; i-- {
			if l, c, ok := findField(k.patches[i], k.kind, k.built, field); ok {
				return Position{File: k.patches[i], Line: l, Column: c}
			}
		}
		if l, c, ok := findField(k.name, k.kind, k.built, field); ok {
			return Position{File: k.name, Line: l, Column: c}
		}
	}
	return Position{File: k.name, Line: line, Column: col, Rendered: line != 0}
}

// findField finds field (a.b[0].c) in the document of file that is the
// object kind/name, or the one it was named before a prefix or suffix.
func findField(file, kind, name, field string) (int, int, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, false
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return 0, 0, false
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if get(root, "kind") == nil || get(root, "kind").Value != kind {
			continue
		}
		// namePrefix and nameSuffix only add to a name, and the build drops
		// the record of the name it started with.
		if md := get(root, "metadata"); md == nil || get(md, "name") == nil || !strings.Contains(name, get(md, "name").Value) {
			continue
		}
		if n := walkPath(root, field); n != nil {
			return n.Line, n.Column, true
		}
	}
}

// get returns the key node of key in mapping n (its position is the one a
// finding shows), with the value one further.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func getKey(n *yaml.Node, key string) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

// walkPath follows a field path and returns the node to point at: the key
// of the last mapping step, or the list item.
func walkPath(root *yaml.Node, field string) *yaml.Node {
	cur, at := root, root
	for _, seg := range splitPath(field) {
		if i, err := strconv.Atoi(seg); err == nil && cur.Kind == yaml.SequenceNode {
			if i < 0 || i >= len(cur.Content) {
				return nil
			}
			cur = cur.Content[i]
			at = cur
			continue
		}
		k := getKey(cur, seg)
		if k == nil {
			return nil
		}
		at, cur = k, get(cur, seg)
	}
	return at
}

// splitPath splits "a.b[0].c" and "a[key.with.dots]" into segments.
func splitPath(p string) []string {
	var out []string
	for p != "" {
		switch {
		case p[0] == '.':
			p = p[1:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return append(out, p[1:])
			}
			out = append(out, p[1:end])
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				return append(out, p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}
