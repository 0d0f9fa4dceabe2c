package validate

import (
	"slices"

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
	HasReadiness   bool
	HasSpec        bool
	// SpecField and Line/Column locate the VMI spec, where a missing probe
	// would go.
	SpecField    string
	Line, Column int
	ignored      ignoreSet
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
type FileCheckFunc func(o *ObjectFacts, services []ServiceFacts, opts *Options) *field.Error

func objectFacts(o *Object) ObjectFacts {
	f := ObjectFacts{Ref: o.Ref, File: o.File, Document: o.Document, TemplateLabels: o.TemplateLabels, HasSpec: o.Spec != nil,
		ignored: ignoredRules(o.Meta.Annotations)}
	if o.Spec != nil {
		f.HasReadiness = o.Spec.ReadinessProbe != nil
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
	if len(l.fileRules) == 0 {
		return ObjectFacts{}, false
	}
	f := objectFacts(o)
	for _, r := range l.fileRules {
		if r.FileCandidate == nil || r.FileCandidate(&f) {
			return f, true
		}
	}
	return ObjectFacts{}, false
}

// fileChecker runs the file-wide rules while a file streams by: it keeps
// the facts of the candidate objects that a rule has not reported yet and
// the Services read so far, never findings.
type fileChecker struct {
	l        *Linter
	pending  []pendingFacts
	services []ServiceFacts
}

// pendingFacts is a candidate object and, for each file rule, whether it
// may still report it.
type pendingFacts struct {
	facts ObjectFacts
	open  []bool
}

// add takes one document's findings, candidate facts and Services and
// returns its findings with those the file rules now make: the new
// candidates checked against every Service so far, the earlier ones
// against the new Services.
func (c *fileChecker) add(findings []Finding, facts []ObjectFacts, services []ServiceFacts) []Finding {
	if len(c.l.fileRules) == 0 {
		return findings
	}
	if len(services) > 0 {
		kept := c.pending[:0]
		for _, p := range c.pending {
			findings = c.check(&p, services, findings)
			if slices.Contains(p.open, true) {
				kept = append(kept, p)
			}
		}
		clear(c.pending[len(kept):])
		c.pending = kept
		c.services = append(c.services, services...)
	}
	for _, f := range facts {
		p := pendingFacts{facts: f, open: make([]bool, len(c.l.fileRules))}
		for i := range p.open {
			p.open[i] = true
		}
		if findings = c.check(&p, c.services, findings); slices.Contains(p.open, true) {
			c.pending = append(c.pending, p)
		}
	}
	return findings
}

// check runs each file rule still open on p against services; a rule that
// reports is closed for p.
func (c *fileChecker) check(p *pendingFacts, services []ServiceFacts, out []Finding) []Finding {
	if len(services) == 0 {
		return out
	}
	for i, r := range c.l.fileRules {
		if !p.open[i] {
			continue
		}
		if r.FileCandidate != nil && !r.FileCandidate(&p.facts) {
			p.open[i] = false
			continue
		}
		o := &p.facts
		e := r.FileCheck(o, services, &c.l.opts)
		if e == nil {
			continue
		}
		p.open[i] = false
		f := c.l.finding(r.ID, o.File, o.Document, o.Line, o.Column, o.Ref, e.Field, errorMessage(e))
		if reason, ok := o.ignored.match(r.ID); ok {
			f.Suppressed = &Suppression{Kind: "annotation", Justification: reason}
		}
		out = append(out, f)
	}
	return out
}

// reset forgets the file that ended.
func (c *fileChecker) reset() {
	clear(c.pending)
	c.pending, c.services = c.pending[:0], c.services[:0]
}
