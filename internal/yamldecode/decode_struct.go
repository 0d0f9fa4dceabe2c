package yamldecode

import (
	"fmt"
	"reflect"

	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// eachPair calls fn for each key/value of a mapping, expanding "<<" merge keys
// and reporting keys that are not strings.
func (d *decoder) eachPair(n *yaml.Node, fn func(k, v *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			d.merge(val, fn)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.add(InvalidType, k, "mapping keys must be strings, not %s", kindWord(k))
			continue
		}
		fn(k, val)
	}
}

func (d *decoder) merge(val *yaml.Node, fn func(k, v *yaml.Node)) {
	val = yamlpos.Resolve(val)
	if val == nil || !d.enter(val) {
		return
	}
	switch val.Kind {
	case yaml.MappingNode:
		d.eachPair(val, fn)
	case yaml.SequenceNode:
		for _, item := range val.Content {
			d.merge(item, fn)
		}
	default:
		d.add(InvalidType, val, "a merge key (<<) must refer to an object")
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, info *structInfo) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, "an object")
		return
	}
	top := len(d.segs) == 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			// Rare: let eachPair report odd keys and expand merges.
			d.eachPair(&yaml.Node{Kind: yaml.MappingNode, Content: n.Content[i : i+2]}, func(k, val *yaml.Node) {
				d.decodeField(n, info, v, top, k, val)
			})
			continue
		}
		d.decodeField(n, info, v, top, k, val)
	}
}

// decodeField decodes the value of key k of mapping n into its field of v.
func (d *decoder) decodeField(n *yaml.Node, info *structInfo, v reflect.Value, top bool, k, val *yaml.Node) {
	name := k.Value
	if first := firstKey(n, k); first != nil {
		d.push(name)
		d.addIssue(Issue{Kind: DuplicateKey, Node: k, Name: name, First: first, Message: fmt.Sprintf(
			"duplicate key %q (first at line %d; the API server rejects it, YAML tools keep only the last value)", name, first.Line)})
		d.pop()
		return
	}
	if top && d.opts.SkipStatus && name == "status" {
		return // written by controllers, never by users: not linted
	}
	f, ok := info.fields[name]
	if !ok {
		if d.lenient == 0 {
			parent := d.path()
			d.push(name)
			d.addIssue(Issue{Kind: UnknownField, Node: k, Name: name, Parent: parent, Known: info.names,
				Message: unknownFieldMessage(name, parent, info.names)})
			d.pop()
		}
		return
	}
	d.push(name)
	if f.preserveUnknown {
		d.lenient++
	}
	d.decodeWith(val, fieldByIndexAlloc(v, f.index), f.ti)
	if f.preserveUnknown {
		d.lenient--
	}
	d.pop()
}

// firstKey returns an earlier key of mapping n equal to k, or nil. Mappings
// are small, so a scan beats building a set for each one.
// Keys merged in with "<<" belong to another mapping and are never
// duplicates: explicit keys override them.
func firstKey(n, k *yaml.Node) *yaml.Node {
	var first *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		c := n.Content[i]
		if c == k {
			return first
		}
		if first == nil && c.Value == k.Value && c.Kind == yaml.ScalarNode {
			first = c
		}
	}
	return nil
}

// fieldByIndexAlloc is reflect.Value.FieldByIndex that allocates nil embedded
// pointers on the way.
func fieldByIndexAlloc(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// unknownFieldMessage says that name is not a field of the mapping at
// path, and suggests the known field it most likely meant.
func unknownFieldMessage(name, path string, known []string) string {
	where := path
	if where == "" {
		where = "the object"
	}
	msg := fmt.Sprintf("unknown field %q in %s", name, where)
	if s := Suggest(name, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}
