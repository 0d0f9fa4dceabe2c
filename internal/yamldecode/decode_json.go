package yamldecode

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// toInterface converts a subtree to plain Go values (maps, slices, scalars)
// as a JSON decoder would produce them, within the decoder's limits.
func (d *decoder) toInterface(n *yaml.Node) (any, error) {
	if n != nil && n.Kind == yaml.AliasNode && d.expanding == nil {
		d.expanding = n
		defer func() { d.expanding = nil }()
	}
	n = yamlpos.Resolve(n)
	if n == nil {
		return nil, nil
	}
	if !d.enter(n) {
		return nil, fmt.Errorf("limits exceeded")
	}
	d.depth++
	defer func() { d.depth-- }()
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		var err error
		seen := make(map[string]bool, len(n.Content)/2)
		d.eachPair(n, func(k, val *yaml.Node) {
			if err != nil {
				return
			}
			d.push(k.Value)
			defer d.pop()
			if seen[k.Value] {
				d.addIssue(Issue{Kind: DuplicateKey, Node: k, Name: k.Value, First: firstKey(n, k), Message: fmt.Sprintf("duplicate key %q", k.Value)})
				return
			}
			seen[k.Value] = true
			m[k.Value], err = d.toInterface(val)
		})
		return m, err
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			var err error
			d.push(indexSeg(i))
			s[i], err = d.toInterface(item)
			d.pop()
			if err != nil {
				return nil, err
			}
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			return strings.EqualFold(n.Value, "true"), nil
		case "!!int":
			if i, err := parseYAMLInt(n.Value, 64); err == nil {
				return i, nil
			}
			return n.Value, nil
		case "!!float":
			if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, nil
			}
			return n.Value, nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("unsupported node kind %v", n.Kind)
}

func (d *decoder) toJSON(n *yaml.Node) ([]byte, error) {
	val, err := d.toInterface(n)
	if err != nil {
		return nil, err
	}
	return json.Marshal(val)
}
