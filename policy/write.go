package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/yaml"
)

// Objects returns the policies and bindings as plain maps, in the order
// to apply them (each binding after its policy), without the fields the
// API server fills in.
func (s *Set) Objects() ([]map[string]any, error) {
	var out []map[string]any
	for _, p := range s.Policies {
		for _, obj := range []any{p.Policy, p.Binding} {
			m, err := toMap(obj)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

func toMap(obj any) (map[string]any, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	if meta, ok := m["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	return m, nil
}

// WriteYAML writes the policies and bindings as a multi-document YAML
// stream for kubectl apply, after a comment header naming the rules.
func (s *Set) WriteYAML(w io.Writer, header string) error {
	objs, err := s.Objects()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if line != "" {
			fmt.Fprintf(&b, "# %s\n", line)
		}
	}
	for _, obj := range objs {
		data, err := yaml.Marshal(obj)
		if err != nil {
			return err
		}
		b.WriteString("---\n")
		b.Write(data)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// WriteJSON writes the policies and bindings as one indented v1 List.
func (s *Set) WriteJSON(w io.Writer) error {
	objs, err := s.Objects()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(map[string]any{"apiVersion": "v1", "kind": "List", "items": objs})
}
