package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/vmhealth/vmhealth/internal/yamldecode"
	"github.com/vmhealth/vmhealth/internal/yamlpos"
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

// UnmarshalJSON reads a number or a quantity.
func (b *ByteSize) UnmarshalJSON(data []byte) error {
	var text string
	switch {
	case len(data) > 0 && data[0] == '"':
		if err := json.Unmarshal(data, &text); err != nil {
			return err
		}
	case len(data) > 0 && (data[0] == '-' || data[0] >= '0' && data[0] <= '9'):
		text = string(data)
	default:
		return errors.New("must be a size in bytes, such as 1048576, 512Ki or 16Mi")
	}
	q, err := resource.ParseQuantity(text)
	if err != nil {
		return fmt.Errorf("%q is not a size in bytes (like 1048576, 512Ki or 16Mi)", text)
	}
	v, ok := q.AsInt64()
	if !ok {
		return fmt.Errorf("%q is not a whole number of bytes", text)
	}
	*b = ByteSize(v)
	return nil
}

// positions finds where each key and value was written, by key path
// (rules.probe-host-set.severity, ignore[1]), so that errors found after
// decoding can point at them.
type positions struct {
	root *yaml.Node
}

func (p positions) at(path string, key bool) (int, int) {
	at, v, ok := yamlpos.Walk(p.root, path)
	if !ok {
		return 0, 0
	}
	if key {
		v = at
	}
	if v == nil {
		return 0, 0
	}
	return v.Line, v.Column
}

// decode reads the file strictly with the shared decoder, which goes on
// past each problem, so that every mistake is reported at once; each error
// names the key and points at it. A syntax error returns a nil File.
func decode(name string, data []byte) (*File, positions, error) {
	var f File
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, positions{}, &Error{File: name, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if doc.Kind == 0 {
		return &f, positions{}, nil // an empty file configures nothing
	}
	pos := positions{root: yamlpos.Resolve(&doc)}
	if pos.root == nil || pos.root.Kind == yaml.ScalarNode && pos.root.Tag == "!!null" {
		return &f, pos, nil // an empty file configures nothing
	}
	res := yamldecode.Decode(pos.root, &f, yamldecode.Options{})
	var errs []error
	for _, is := range res.Issues {
		e := &Error{File: name, Key: keyOf(is.Path), Message: issueMessage(is)}
		if is.Node != nil {
			e.Line, e.Column = is.Node.Line, is.Node.Column
		}
		if is.Kind == yamldecode.UnknownField {
			e.Key = keyOf(is.Parent)
		}
		errs = append(errs, e)
	}
	// What decoded is returned with the errors, so that it can still be
	// checked and every mistake reported at once.
	return &f, pos, errors.Join(errs...)
}

// mapKey matches a map key in a decoder path: rules[probe-host-set].
var mapKey = regexp.MustCompile(`\[([^\]0-9][^\]]*)\]`)

// keyOf writes a decoder path the way the file's keys are named:
// rules.probe-host-set.severity, ignore[1].
func keyOf(path string) string { return mapKey.ReplaceAllString(path, ".$1") }

// issueMessage words a decoding issue for people who write the file.
func issueMessage(is yamldecode.Issue) string {
	switch is.Kind {
	case yamldecode.UnknownField:
		msg := fmt.Sprintf("unknown key %q", is.Name)
		if s := yamldecode.Suggest(is.Name, is.Known); s != "" {
			return msg + fmt.Sprintf(" (did you mean %q?)", s)
		}
		return msg + " (known keys: " + strings.Join(slices.Sorted(slices.Values(is.Known)), ", ") + ")"
	case yamldecode.DuplicateKey:
		if is.First != nil {
			return fmt.Sprintf("written twice (first at line %d)", is.First.Line)
		}
		return "written twice"
	case yamldecode.InvalidType, yamldecode.Ambiguous:
		if is.Err != nil {
			return is.Err.Error()
		}
		want := is.Want
		switch {
		case want == "an object" && is.Path == "rules":
			want = "a mapping of rule IDs to settings"
		case want == "an object":
			want = "a mapping of keys"
		case want == "an integer":
			want = "a whole number"
		case want == "a list":
			want = "a list of strings"
		case want == "":
			return is.Message
		}
		return fmt.Sprintf("must be %s, not %s", want, describe(is.Node))
	}
	return is.Message
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
