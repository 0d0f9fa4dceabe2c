package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/vmhealth/vmhealth/validate"
)

// Error is a problem with one key of a configuration file.
type Error struct {
	File         string
	Line, Column int
	// Key is the key's path: failOn, rules.probe-host-set.severity,
	// ignore[1].
	Key     string
	Message string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	if e.Key == "" {
		return loc + ": " + e.Message
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Message)
}

// ByteSize is a number of bytes, written as a number or as a Kubernetes
// quantity (512Ki, 16Mi, 1G).
type ByteSize int64

// UnmarshalYAML reads a number or a quantity.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return errors.New("must be a size in bytes, such as 1048576, 512Ki or 16Mi")
	}
	q, err := resource.ParseQuantity(n.Value)
	if err != nil {
		return fmt.Errorf("%q is not a size in bytes (like 1048576, 512Ki or 16Mi)", n.Value)
	}
	v, ok := q.AsInt64()
	if !ok {
		return fmt.Errorf("%q is not a whole number of bytes", n.Value)
	}
	*b = ByteSize(v)
	return nil
}

// positions records where each key and value was written, by key path, so
// that errors found after decoding can point at them.
type positions struct {
	keys, values map[string]*yaml.Node
}

func (p positions) at(path string, key bool) (int, int) {
	m := p.values
	if key {
		m = p.keys
	}
	if n, ok := m[path]; ok {
		return n.Line, n.Column
	}
	return 0, 0
}

// yamlKeys lists the keys a struct type accepts, from its yaml tags.
func yamlKeys(t reflect.Type) map[string]int {
	keys := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys[name] = i
		}
	}
	return keys
}

// decode reads the file strictly. Each key is checked against the struct's
// and decoded on its own, so an error names the key and points at it. A
// syntax error returns a nil File.
func decode(name string, data []byte) (*File, positions, error) {
	pos := positions{keys: map[string]*yaml.Node{}, values: map[string]*yaml.Node{}}
	var f File
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, pos, &Error{File: name, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &f, pos, nil // an empty file configures nothing
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return &f, pos, nil
	}
	var errs []error
	fail := func(n *yaml.Node, key, format string, args ...any) {
		errs = append(errs, &Error{File: name, Line: n.Line, Column: n.Column, Key: key, Message: fmt.Sprintf(format, args...)})
	}
	decodeMapping(root, "", reflect.ValueOf(&f).Elem(), pos, fail)
	// What decoded is returned with the errors, so that it can still be
	// checked and every mistake reported at once.
	return &f, pos, errors.Join(errs...)
}

type failFunc func(n *yaml.Node, key, format string, args ...any)

// decodeMapping decodes mapping n into the struct v, key by key.
func decodeMapping(n *yaml.Node, prefix string, v reflect.Value, pos positions, fail failFunc) {
	if n.Kind != yaml.MappingNode {
		fail(n, strings.TrimSuffix(prefix, "."), "must be a mapping of keys, not %s", describe(n))
		return
	}
	fields := yamlKeys(v.Type())
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	slices.Sort(known)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		path := prefix + k.Value
		if first, dup := seen[k.Value]; dup {
			fail(k, path, "written twice (first at line %d)", first.Line)
			continue
		}
		seen[k.Value] = k
		idx, ok := fields[k.Value]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s := validate.Suggest(k.Value, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known keys: " + strings.Join(known, ", ") + ")"
			}
			fail(k, strings.TrimSuffix(prefix, "."), "%s", msg)
			continue
		}
		pos.keys[path], pos.values[path] = k, val
		field := v.Field(idx)
		if field.Kind() == reflect.Map && field.Type().Elem().Kind() == reflect.Struct {
			decodeRules(val, path, field, pos, fail)
			continue
		}
		if field.Kind() == reflect.Map && val.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(val.Content); j += 2 {
				kp := path + "." + val.Content[j].Value
				pos.keys[kp], pos.values[kp] = val.Content[j], val.Content[j+1]
			}
		}
		if field.Kind() == reflect.Slice {
			for j, item := range seqItems(val) {
				pos.values[fmt.Sprintf("%s[%d]", path, j)] = item
			}
		}
		if err := val.Decode(field.Addr().Interface()); err != nil {
			fail(val, path, "%s", typeError(err, val))
		}
	}
}

// decodeRules decodes the rules mapping: rule ID → Rule.
func decodeRules(n *yaml.Node, path string, m reflect.Value, pos positions, fail failFunc) {
	if n.Kind != yaml.MappingNode {
		fail(n, path, "must be a mapping of rule IDs to settings, not %s", describe(n))
		return
	}
	if m.IsNil() {
		m.Set(reflect.MakeMap(m.Type()))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		rp := path + "." + k.Value
		if _, dup := pos.keys[rp]; dup {
			fail(k, rp, "written twice (first at line %d)", pos.keys[rp].Line)
			continue
		}
		pos.keys[rp], pos.values[rp] = k, val
		r := reflect.New(m.Type().Elem()).Elem()
		decodeMapping(val, rp+".", r, pos, fail)
		m.SetMapIndex(reflect.ValueOf(k.Value), r)
	}
}

func seqItems(n *yaml.Node) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// typeError rewords go-yaml's "cannot unmarshal !!str `x` into int" for
// people who write YAML, not Go.
func typeError(err error, n *yaml.Node) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	msg := te.Errors[0]
	switch {
	case strings.Contains(msg, "into int"), strings.Contains(msg, "into map[string]int"):
		return fmt.Sprintf("must be a whole number, not %s", describe(n))
	case strings.Contains(msg, "into bool") || strings.Contains(msg, "into *bool"):
		return fmt.Sprintf("must be true or false, not %s", describe(n))
	case strings.Contains(msg, "into string"):
		return fmt.Sprintf("must be a string, not %s", describe(n))
	case strings.Contains(msg, "into []string"):
		return fmt.Sprintf("must be a list of strings, not %s", describe(n))
	}
	if _, after, ok := strings.Cut(msg, ": "); ok {
		return after
	}
	return msg
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "null"
	}
	return fmt.Sprintf("%q", n.Value)
}
