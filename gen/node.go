package gen

import (
	"bytes"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"fmt"
	"github.com/vmhealth/vmhealth/internal/yamldecode"
	"github.com/vmhealth/vmhealth/internal/yamlpos"
	"slices"
)

// The stanzas are built as YAML node trees rather than marshalled from the
// Go types: that keeps the keys in the order people write them (handler
// first, as in KubeVirt's documentation), leaves out the empty structs the
// types would add, and gives --into nodes it can splice into a file.

func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11NonString(s) {
		// The encoder quotes what YAML 1.2 would read as another type,
		// but kubectl and sigs.k8s.io/yaml read YAML 1.1, where these are
		// booleans or numbers too.
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// yaml11Special matches plain scalars that YAML 1.1 reads as something
// other than a string and YAML 1.2 does not: y/n/yes/no/on/off booleans,
// sexagesimal numbers (1:30), numbers with underscores, binary.
var yaml11Special = regexp.MustCompile(`^(?:[yYnN]|[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF|` +
	`[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|` +
	`[-+]?[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?|` +
	`[-+]?0b[01_]+)$`)

func yaml11NonString(s string) bool { return yaml11Special.MatchString(s) }

func intNode(n int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(n, 10)}
}

func nullNode() *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// mapNode builds a mapping from key, value pairs.
func mapNode(pairs ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(pairs); i += 2 {
		setKey(n, pairs[i].(string), pairs[i+1].(*yaml.Node))
	}
	return n
}

// emptyMap is {} written in flow style, as KubeVirt's docs write pod: {}.
func emptyMap() *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
}

func seqNode(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

// setKey sets key in mapping m, replacing the value in place when the key
// exists and appending it otherwise.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, strNode(key), v)
}

// getKey returns the value of key in mapping m, or nil.
func getKey(m *yaml.Node, key string) *yaml.Node {
	m = yamlpos.Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// nest wraps n into mappings along path: nest(n, "spec", "template")
// gives {spec: {template: n}}.
func nest(n *yaml.Node, path ...string) *yaml.Node {
	for i := len(path) - 1; i >= 0; i-- {
		n = mapNode(path[i], n)
	}
	return n
}

// encodeYAML writes n as a YAML document indented by two spaces, the
// indentation of kubectl and of KubeVirt's docs.
func encodeYAML(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	// "- " at the indentation of the key above, as kubectl writes lists.
	enc.CompactSeqIndent()
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeJSON writes n as JSON with its keys in the node's order. indent
// "" gives one line, fit for kubectl patch -p.
func encodeJSON(n *yaml.Node, indent string) ([]byte, error) {
	out, err := yamlpos.ToJSON(n, indent)
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// decodeNode fills v from n with the decoder lint uses. The first issue of
// one of kinds (of any kind when none are given) is the error, at its line.
func decodeNode(n *yaml.Node, v any, kinds ...yamldecode.Kind) error {
	res := yamldecode.Decode(n, v, yamldecode.Options{SkipStatus: true})
	for _, is := range res.Issues {
		if len(kinds) > 0 && !slices.Contains(kinds, is.Kind) {
			continue
		}
		if is.Node != nil && is.Node.Line > 0 {
			return fmt.Errorf("line %d: %s: %s", is.Node.Line, is.Path, is.Message)
		}
		return fmt.Errorf("%s: %s", is.Path, is.Message)
	}
	return nil
}
