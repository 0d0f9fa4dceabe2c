package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/fastyaml"
)

// parseDocument parses one document of a stream, which the splitter has
// cut at its markers. yaml.Unmarshal reads only the first node of its input
// and never looks further, so a document that opens with a complete flow
// node — an unrendered Helm line such as `{{ if .Values.enabled }}`, or
// `[1, 2]` — would silently drop everything after it, the whole VM
// included. kubectl and PyYAML reject such a file; so does this: whatever
// follows the first node is a syntax error at its line.
//
// Most documents are plain block YAML, which fastyaml reads into the same
// nodes several times faster; whatever it declines, go-yaml parses.
func parseDocument(data []byte, root *yaml.Node) error {
	switch fastyaml.Parse(data, root) {
	case fastyaml.Parsed, fastyaml.Empty:
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // only comments
		}
		return err
	}
	var rest yaml.Node
	err := dec.Decode(&rest)
	switch {
	case err == nil:
		// The splitter ends a chunk at "...", so a second document can only
		// come from a marker it kept; report it where it starts.
		return fmt.Errorf("yaml: line %d: %s", rest.Line-1, trailingContent(root))
	case errors.Is(err, io.EOF):
		return nil
	case strings.Contains(err.Error(), "did not find expected <document start>"):
		return errors.New(strings.Replace(err.Error(), "did not find expected <document start>", trailingContent(root), 1))
	default:
		return err
	}
}

// trailingContent words the error for content after a document's first node.
func trailingContent(root *yaml.Node) string {
	first := root
	if first.Kind == yaml.DocumentNode && len(first.Content) > 0 {
		first = first.Content[0]
	}
	what := "a scalar"
	switch first.Kind {
	case yaml.MappingNode:
		what = "a flow mapping"
	case yaml.SequenceNode:
		what = "a flow sequence"
	}
	msg := "content after the document's first node (" + what + " that is complete by itself); a YAML document holds one node, and kubectl rejects this file"
	if first.Kind == yaml.MappingNode && first.Style&yaml.FlowStyle != 0 && len(first.Content) == 2 &&
		first.Content[0].Kind == yaml.MappingNode {
		msg += "; an unrendered template ({{ … }})? lint what helm template renders"
	}
	return msg
}
