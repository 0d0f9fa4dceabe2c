package explain

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
	v1 "kubevirt.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/validate"
)

// This file is a stand-in for the validate package's loader, which decodes
// the same objects but hands them out only through findings. It reads just
// what explain needs: each KubeVirt object's VMI spec, the node tree it
// came from, and the VM's run strategy. When validate exports its objects,
// loadObjects is the one function to replace.

// subject is one object whose health checks explain describes.
type subject struct {
	ref      validate.ObjectRef
	document int
	// firstLine and lastLine bound the document in the file, to match
	// lint's findings to the object.
	firstLine, lastLine int
	line                int // of the object itself
	spec                *v1.VirtualMachineInstanceSpec
	specNode            *yaml.Node
	specPath            string
	// runStrategy is the VM's, after running: true/false is read as
	// Always/Halted; empty for other kinds.
	runStrategy string
	err         error
}

// specPaths says where each kind keeps its VMI spec.
var specPaths = map[string][]string{
	"VirtualMachine":                   {"spec", "template", "spec"},
	"VirtualMachineInstance":           {"spec"},
	"VirtualMachineInstanceReplicaSet": {"spec", "template", "spec"},
	"VirtualMachinePool":               {"spec", "virtualMachineTemplate", "spec", "template", "spec"},
}

// callout matches an AsciiDoc callout at the end of a line of a
// documentation snippet ("port: 1500 <1>").
var callout = regexp.MustCompile(`(?m)[ \t]+(#[ \t]*)?<\d+>[ \t]*$`)

// loadObjects finds the KubeVirt objects of a YAML or JSON stream: whole
// documents, the items of a List, the objects of an OpenShift Template, and
// documentation snippets that show a VM's or VMI's spec without a head.
func loadObjects(data []byte) []*subject {
	var out []*subject
	for i, doc := range splitDocuments(string(data)) {
		var root yaml.Node
		text := doc.text
		if err := yaml.Unmarshal([]byte(text), &root); err != nil {
			text = callout.ReplaceAllString(text, "")
			if yaml.Unmarshal([]byte(text), &root) != nil {
				continue // lint reports the syntax error
			}
		}
		if len(root.Content) != 1 {
			continue
		}
		w := walker{doc: i, first: doc.line, last: doc.line + strings.Count(doc.text, "\n")}
		w.walk(root.Content[0], "", 0)
		out = append(out, w.found...)
	}
	return out
}

type document struct {
	text string
	line int // 1-based line of the file where the text starts
}

// splitDocuments cuts a stream at "---" lines, keeping line numbers.
func splitDocuments(s string) []document {
	var docs []document
	lines := strings.SplitAfter(s, "\n")
	start, cur := 1, strings.Builder{}
	for i, l := range lines {
		trimmed := strings.TrimRight(l, "\r\n")
		if trimmed == "---" || strings.HasPrefix(trimmed, "--- ") {
			if strings.TrimSpace(cur.String()) != "" {
				docs = append(docs, document{text: cur.String(), line: start})
			}
			cur.Reset()
			start = i + 2
			continue
		}
		cur.WriteString(l)
	}
	if strings.TrimSpace(cur.String()) != "" {
		docs = append(docs, document{text: cur.String(), line: start})
	}
	return docs
}

type walker struct {
	doc, first, last int
	found            []*subject
}

func (w *walker) walk(n *yaml.Node, path string, depth int) {
	if n == nil || n.Kind != yaml.MappingNode || depth > 4 {
		return
	}
	apiVersion, kind := scalar(child(n, "apiVersion")), scalar(child(n, "kind"))
	switch {
	case kind == "Template" && strings.HasPrefix(apiVersion, "template.openshift.io/"):
		w.walkList(n, path, "objects", depth)
		return
	case strings.HasSuffix(kind, "List"):
		w.walkList(n, path, "items", depth)
		return
	}
	specPath, ok := specPaths[kind]
	if !ok || !strings.Contains(apiVersion, "kubevirt.io/") {
		if apiVersion != "" || kind != "" {
			return
		}
		// A snippet of the documentation: spec.template.spec… or spec…
		switch {
		case at(n, "spec", "template", "spec") != nil:
			specPath = specPaths["VirtualMachine"]
		case at(n, "spec", "readinessProbe") != nil || at(n, "spec", "livenessProbe") != nil || at(n, "spec", "domain") != nil:
			specPath = specPaths["VirtualMachineInstance"]
		default:
			return
		}
		kind = validate.FragmentKind
	}
	meta := child(n, "metadata")
	s := &subject{
		ref: validate.ObjectRef{APIVersion: apiVersion, Kind: kind, Path: path,
			Namespace: scalar(child(meta, "namespace")), Name: scalar(child(meta, "name"))},
		document: w.doc, firstLine: w.first, lastLine: w.last, line: n.Line + w.first - 1,
		specPath: strings.Join(specPath, "."),
		specNode: at(n, specPath...),
		spec:     &v1.VirtualMachineInstanceSpec{},
	}
	if kind == "VirtualMachine" || (kind == validate.FragmentKind && len(specPath) == 3) {
		s.runStrategy = runStrategy(n)
	}
	if s.specNode != nil {
		data, err := yaml.Marshal(s.specNode)
		if err == nil {
			err = sigsyaml.Unmarshal(data, s.spec)
		}
		if err != nil {
			s.err = fmt.Errorf("reading %s: %w", s.specPath, err)
		}
	}
	w.found = append(w.found, s)
}

func (w *walker) walkList(n *yaml.Node, path, key string, depth int) {
	items := child(n, key)
	if items == nil || items.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range items.Content {
		p := fmt.Sprintf("%s[%d]", key, i)
		if path != "" {
			p = path + "." + p
		}
		w.walk(item, p, depth+1)
	}
}

// runStrategy reads a VM's spec.runStrategy, or its older spec.running.
func runStrategy(vm *yaml.Node) string {
	if rs := scalar(at(vm, "spec", "runStrategy")); rs != "" {
		return rs
	}
	switch scalar(at(vm, "spec", "running")) {
	case "true":
		return string(v1.RunStrategyAlways)
	case "false":
		return string(v1.RunStrategyHalted)
	}
	return ""
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			if v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}

func at(n *yaml.Node, path ...string) *yaml.Node {
	for _, p := range path {
		n = child(n, p)
	}
	return n
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
