// Package policytest gathers the KubeVirt objects of vmhealth's rule
// fixtures and real-world corpus together with what lint says about each,
// and evaluates generated policies on them the way the API server does, for
// the tests that hold lint and the policies to the same verdicts.
package policytest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/validate"
)

// Case is one KubeVirt object found in an input file.
type Case struct {
	// File is the input's path as given to Collect.
	File     string
	Document int
	Ref      validate.ObjectRef
	// Object is the object as kubectl would send it to the API server.
	Object map[string]any
	// Arch is the default architecture the fixture asks lint to assume
	// (# vmhealth-options: arch=…), empty for the default.
	Arch string
	// Findings are lint's unsuppressed findings on the object.
	Findings []validate.Finding
	// Skip says why the object cannot be sent to an API server as it is
	// written, such as a ${PARAMETER} of a Template; empty when it can.
	Skip string
}

// String names the case for test output.
func (c *Case) String() string {
	s := fmt.Sprintf("%s#%d", c.File, c.Document)
	if c.Ref.Path != "" {
		s += "/" + c.Ref.Path
	}
	return s + " " + c.Ref.Kind + "/" + c.Ref.Name
}

// Want returns lint's findings among the given rules, as a policy reports
// them: "[rule-id] field: message", sorted.
func (c *Case) Want(ruleIDs []string) []string {
	var out []string
	for _, f := range c.Findings {
		if slices.Contains(ruleIDs, f.RuleID) {
			out = append(out, fmt.Sprintf("[%s] %s: %s", f.RuleID, f.Field, f.Message))
		}
	}
	slices.Sort(out)
	return out
}

// optionsMarker is the line by which a rule fixture sets lint options.
var optionsMarker = regexp.MustCompile(`(?m)^#\s*vmhealth-options:(.*)$`)

// Collect lints every file matching the globs and returns the KubeVirt
// objects lint decoded from them, in file order.
func Collect(globs ...string) ([]*Case, error) {
	var files []string
	for _, g := range globs {
		m, err := filepath.Glob(g)
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no files match %s", strings.Join(globs, ", "))
	}
	var out []*Case
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var opts validate.Options
		if m := optionsMarker.FindSubmatch(data); m != nil {
			for _, kv := range strings.Fields(string(m[1])) {
				if v, ok := strings.CutPrefix(kv, "arch="); ok {
					opts.Architecture = v
				}
			}
		}
		linter, err := validate.New(opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		objs, findings, _ := linter.Objects(file, data)
		badYAML := map[int]bool{}
		for _, f := range findings {
			if f.RuleID == validate.YAMLSyntaxRuleID {
				badYAML[f.Document] = true
			}
		}
		for _, o := range objs {
			c := &Case{File: file, Document: o.Document, Ref: o.Ref, Arch: opts.Architecture}
			for _, f := range findings {
				if f.Document == o.Document && f.Object == o.Ref && f.Suppressed == nil {
					c.Findings = append(c.Findings, f)
				}
			}
			c.Object, err = kubectlObject(o.Node)
			switch {
			case badYAML[o.Document]:
				c.Skip = "not valid YAML: lint read it only after removing documentation callouts"
			case err != nil:
				c.Skip = "not valid YAML as kubectl reads it: " + err.Error()
			case o.InTemplate && strings.Contains(fmt.Sprint(c.Object), "${"):
				c.Skip = "holds Template parameters"
			case o.Ref.Kind == validate.FragmentKind:
				c.Skip = "a fragment without apiVersion and kind"
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// kubectlObject re-encodes the object's YAML and reads it back the way
// kubectl does (YAML 1.1, integers as int64), so the API server receives
// what it would from kubectl apply.
func kubectlObject(n *yaml.Node) (map[string]any, error) {
	text, err := yaml.Marshal(n)
	if err != nil {
		return nil, err
	}
	data, err := sigsyaml.YAMLToJSON(text)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := utiljson.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, fmt.Errorf("not an object")
	}
	return obj, nil
}
