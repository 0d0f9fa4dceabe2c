package validate

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Check runs the enabled rules that look at one object on o, an object
// that Load returned, and returns their findings in CompareFindings order,
// with the object's vmhealth.io/ignore annotation applied. It starts no
// goroutines. The input rules' findings are Load's; the rules that look
// across a file (a Service selecting the VM) need the whole file and run
// only in Lint and Objects.
func (l *Linter) Check(o *Object) []Finding {
	var out []Finding
	for _, f := range l.check(o) {
		if !l.opts.Disabled[f.RuleID] {
			out = append(out, f)
		}
	}
	SortFindings(out)
	return out
}

// check runs the object rules on o, unless decoding o stopped early (an
// object too complex to judge).
func (l *Linter) check(o *Object) []Finding {
	if o.stopped {
		return nil
	}
	var found []Finding
	for _, r := range l.rules {
		found = append(found, l.runRule(r, o)...)
	}
	o.suppress(found)
	return found
}

// lintChunk loads and checks one document, keeping the facts file-wide
// rules need. The objects stay in the result only when keep is set.
//
// A Helm template and a kustomize patch are reported once (classify.go)
// and not linted: the rules would only report noise about them.
func (l *Linter) lintChunk(file string, c *chunk, keep bool) docResult {
	if f, ok := l.helmTemplate(file, c); ok {
		return docResult{documents: 1, findings: []Finding{f}}
	}
	res := l.loadChunk(file, c)
	var linted []*Object
	for _, o := range res.objs {
		if f, ok := l.patchFinding(o); ok {
			res.findings = slices.DeleteFunc(res.findings, func(g Finding) bool { return g.Object == o.Ref })
			one := []Finding{f}
			o.suppress(one)
			res.findings = append(res.findings, one...)
			continue
		}
		linted = append(linted, o)
		res.findings = append(res.findings, l.check(o)...)
		if f, ok := l.candidateFacts(o); ok {
			res.facts = append(res.facts, f)
		}
	}
	res.objs = linted
	if !keep {
		res.objs = nil
	}
	return res
}

// suppress marks the findings that the object's annotation silences.
func (o *Object) suppress(found []Finding) {
	for i := range found {
		if reason, ok := o.ignored.match(found[i].RuleID); ok {
			found[i].Suppressed = &Suppression{Kind: "annotation", Justification: reason}
		}
	}
}

// runRule runs one rule on one object and turns its field errors into
// findings at their positions.
func (l *Linter) runRule(r *Rule, obj *Object) (out []Finding) {
	defer func() {
		if p := recover(); p != nil {
			out = append(out, l.finding(InternalErrorRuleID, obj.File, obj.Document, 0, 0, obj.Ref, "",
				fmt.Sprintf("internal error in rule %s (please report it): %v", r.ID, p)))
		}
	}()
	for _, e := range r.Check(obj, l.params[r.ID]) {
		if obj.undecoded(e.Field) {
			continue // the decode problem there is reported already
		}
		line, col := obj.Position(e.Field)
		out = append(out, l.finding(r.ID, obj.File, obj.Document, line, col, obj.Ref, e.Field, errorMessage(e)))
	}
	return out
}

// errorMessage renders a field error without repeating its path, which the
// finding carries on its own.
func errorMessage(e *field.Error) string {
	if e.Detail != "" && e.Type != field.ErrorTypeNotSupported {
		return e.Detail
	}
	body := e.ErrorBody()
	if body != "" {
		body = strings.ToLower(body[:1]) + body[1:]
	}
	return body
}
