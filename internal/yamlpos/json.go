package yamlpos

import (
	"bytes"
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxJSONNodes bounds the nodes ToJSON writes, so that an alias bomb ends
// in an error rather than in all the machine's memory.
const maxJSONNodes = 1 << 20

// ToJSON writes n as JSON, keys in the node's order, aliases followed and
// merge keys (<<) expanded. Scalars tagged !!int, !!bool or !!null are
// written bare, everything else as a string. indent "" gives one line.
func ToJSON(n *yaml.Node, indent string) ([]byte, error) {
	w := jsonWriter{}
	if err := w.write(n, 0); err != nil {
		return nil, err
	}
	if indent == "" {
		return w.buf.Bytes(), nil
	}
	var out bytes.Buffer
	if err := json.Indent(&out, w.buf.Bytes(), "", indent); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

type jsonWriter struct {
	buf   bytes.Buffer
	nodes int
}

func (w *jsonWriter) write(n *yaml.Node, depth int) error {
	n = Resolve(n)
	if n == nil {
		w.buf.WriteString("null")
		return nil
	}
	if w.nodes++; w.nodes > maxJSONNodes || depth > 256 {
		return fmt.Errorf("line %d: the value expands to too many nodes to convert to JSON", n.Line)
	}
	switch n.Kind {
	case yaml.MappingNode:
		w.buf.WriteByte('{')
		first := true
		err := w.pairs(n, depth, &first)
		w.buf.WriteByte('}')
		return err
	case yaml.SequenceNode:
		w.buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			if err := w.write(c, depth+1); err != nil {
				return err
			}
		}
		w.buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!bool", "!!null":
			w.buf.WriteString(n.Value)
		default:
			s, _ := json.Marshal(n.Value)
			w.buf.Write(s)
		}
	default:
		return fmt.Errorf("line %d: cannot write YAML node kind %v as JSON", n.Line, n.Kind)
	}
	return nil
}

// pairs writes the key/value pairs of mapping n, expanding merge keys.
func (w *jsonWriter) pairs(n *yaml.Node, depth int, first *bool) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			for _, m := range mergeSources(v) {
				if err := w.pairs(m, depth+1, first); err != nil {
					return err
				}
			}
			continue
		}
		if !*first {
			w.buf.WriteByte(',')
		}
		*first = false
		key, _ := json.Marshal(Resolve(k).Value)
		w.buf.Write(key)
		w.buf.WriteByte(':')
		if err := w.write(v, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// mergeSources are the mappings a merge key's value names.
func mergeSources(v *yaml.Node) []*yaml.Node {
	v = Resolve(v)
	switch {
	case v == nil:
	case v.Kind == yaml.MappingNode:
		return []*yaml.Node{v}
	case v.Kind == yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range v.Content {
			if c = Resolve(c); c != nil && c.Kind == yaml.MappingNode {
				out = append(out, c)
			}
		}
		return out
	}
	return nil
}
