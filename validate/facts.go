package validate

import (
	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ObjectFacts is the little that rules looking across a file need to know
// about one object after the object itself is gone: the engine keeps these,
// not whole objects, so memory stays flat on large files.
type ObjectFacts struct {
	Ref            ObjectRef
	File           string
	Document       int
	TemplateLabels map[string]string
	// SpecField and Line/Column locate the VMI spec, where a missing probe
	// would go; SpecField is empty for an object without one.
	SpecField    string
	Line, Column int
	// Facts is what the rule's own FileFacts picked out of the object.
	Facts   any
	ignored ignoreSet
	// byRule holds, for each of the Linter's file rules in order, whether
	// it wants the object and what it picked.
	byRule []ruleFacts
}

type ruleFacts struct {
	want  bool
	facts any
}

// ServiceFacts is a Service of the same file: its namespace and selector.
type ServiceFacts struct {
	Namespace string
	Name      string
	Selector  map[string]string
}

// Selects reports whether the Service selects pods carrying labels in ns.
func (s ServiceFacts) Selects(ns string, labels map[string]string) bool {
	if s.Namespace != ns || len(s.Selector) == 0 {
		return false
	}
	for k, v := range s.Selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// FileCheckFunc is a rule that needs the Services of the whole file.
type FileCheckFunc func(o *ObjectFacts, services []ServiceFacts, p Params) *field.Error

func objectFacts(o *Object) ObjectFacts {
	f := ObjectFacts{Ref: o.Ref, File: o.File, Document: o.Document, TemplateLabels: o.TemplateLabels, ignored: o.ignored}
	if o.Spec != nil {
		f.SpecField = o.SpecPath.String()
		f.Line, f.Column = o.Position(f.SpecField)
	}
	return f
}

func serviceFacts(n *yaml.Node) ServiceFacts {
	s := ServiceFacts{}
	if md := resolve(lookup(n, "metadata")); md != nil {
		s.Namespace, s.Name = scalarAt(md, "namespace"), scalarAt(md, "name")
	}
	if sel := resolve(lookup(n, "spec.selector")); sel != nil && sel.Kind == yaml.MappingNode {
		s.Selector = map[string]string{}
		for i := 0; i+1 < len(sel.Content); i += 2 {
			if v := resolve(sel.Content[i+1]); v != nil && v.Kind == yaml.ScalarNode {
				s.Selector[sel.Content[i].Value] = v.Value
			}
		}
	}
	return s
}

// candidateFacts returns o's facts when a file-wide rule may report on o,
// so that they must be kept until the end of the file.
func (l *Linter) candidateFacts(o *Object) (ObjectFacts, bool) {
	if len(l.fileRules) == 0 || o.stopped {
		return ObjectFacts{}, false
	}
	byRule := make([]ruleFacts, len(l.fileRules))
	wanted := false
	for i, r := range l.fileRules {
		byRule[i].want = true
		if r.FileFacts != nil {
			byRule[i].facts, byRule[i].want = r.FileFacts(o)
		}
		wanted = wanted || byRule[i].want
	}
	if !wanted {
		return ObjectFacts{}, false
	}
	f := objectFacts(o)
	f.byRule = byRule
	return f, true
}

// fileChecks runs the rules that look across a whole file.
func (l *Linter) fileChecks(facts []ObjectFacts, services []ServiceFacts) []Finding {
	var out []Finding
	for ri, r := range l.fileRules {
		for i := range facts {
			if !facts[i].byRule[ri].want {
				continue
			}
			o := facts[i]
			o.Facts = o.byRule[ri].facts
			e := r.FileCheck(&o, services, l.params[r.ID])
			if e == nil {
				continue
			}
			f := l.finding(r.ID, o.File, o.Document, o.Line, o.Column, o.Ref, e.Field, errorMessage(e))
			if reason, ok := o.ignored.match(r.ID); ok {
				f.Suppressed = &Suppression{Kind: "annotation", Justification: reason}
			}
			out = append(out, f)
		}
	}
	return out
}
