package validate

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Summary counts what a lint run read and found.
type Summary struct {
	Files     int `json:"files"`
	Documents int `json:"documents"`
	// Objects counts the KubeVirt objects linted.
	Objects int `json:"objects"`
	// Skipped counts documents and objects of other kinds, by kind.
	Skipped map[string]int `json:"skipped,omitempty"`
	// Findings counts unsuppressed findings by severity name.
	Findings   map[string]int `json:"findings"`
	Suppressed int            `json:"suppressed"`
	// IgnoredPaths counts the files and directories that Options.SkipPath
	// turned away.
	IgnoredPaths int `json:"ignoredPaths,omitempty"`
	// InputErrors lists inputs that could not be read.
	InputErrors []InputError `json:"-"`
}

// Count returns the number of unsuppressed findings at or above sev.
func (s *Summary) Count(sev Severity) int {
	n := 0
	for i := sev; i <= SeverityError; i++ {
		n += s.Findings[i.String()]
	}
	return n
}

func newSummary() *Summary {
	return &Summary{Skipped: map[string]int{}, Findings: map[string]int{}}
}

// Linter lints KubeVirt manifests. It is safe for concurrent use.
type Linter struct {
	opts      Options
	rules     []*Rule // enabled rules with a Check, in ID order
	fileRules []*Rule // enabled rules with a FileCheck
	all       map[string]*Rule
	// keepObjects makes the run hand back the decoded objects (Objects).
	keepObjects bool
}

// New returns a Linter with the given options.
func New(opts Options) *Linter {
	opts = opts.withDefaults()
	l := &Linter{opts: opts, all: map[string]*Rule{}}
	for _, r := range opts.Registry.Rules() {
		l.all[r.ID] = r
		if opts.Disabled[r.ID] {
			continue
		}
		if r.Check != nil {
			l.rules = append(l.rules, r)
		}
		if r.FileCheck != nil {
			l.fileRules = append(l.fileRules, r)
		}
	}
	return l
}

// Options returns the options in effect, defaults filled in.
func (l *Linter) Options() Options { return l.opts }

// Lint reads every input (files, directories, or "-" for stdin) and calls
// emit with each finding as soon as it is known: file by file, document
// by document, each document's findings in CompareFindings order. A
// file-wide finding (readiness-probe-missing) whose Service comes after
// the object is emitted with the Service's document. Unreadable inputs are recorded in the summary's
// InputErrors and skipped. The error is non-nil only when ctx ends.
func (l *Linter) Lint(ctx context.Context, inputs []string, stdin io.Reader, emit func(Finding)) (*Summary, error) {
	srcs, errs, ignored := expandInputs(inputs, stdin, l.opts.SkipPath)
	sum, err := l.run(ctx, srcs, emit)
	sum.IgnoredPaths = ignored
	sum.InputErrors = append(errs, sum.InputErrors...)
	slices.SortStableFunc(sum.InputErrors, func(a, b InputError) int { return a.arg - b.arg })
	return sum, err
}

// LintReader lints one stream under the given name.
func (l *Linter) LintReader(ctx context.Context, name string, r io.Reader, emit func(Finding)) (*Summary, error) {
	src := source{name: name, open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
	return l.run(ctx, []source{src}, emit)
}

// LintBytes lints data held in memory and returns its findings in order.
func (l *Linter) LintBytes(name string, data []byte) ([]Finding, *Summary) {
	var out []Finding
	sum, _ := l.LintReader(context.Background(), name, bytes.NewReader(data), func(f Finding) { out = append(out, f) })
	return out, sum
}

// docRef names one object linted, for Options.OnObject.
type docRef struct {
	file     string
	document int
	ref      ObjectRef
}

// job is one document on its way through the worker pool; a job with a nil
// chunk marks the end of a file.
type job struct {
	file int
	arg  int
	name string
	c    *chunk
	// whole is a file that a worker reads and lints on its own; the job
	// also ends the file.
	whole *source
	err   error // a read error that ended the file
	done  chan docResult
}

// docResult is what linting one document produced.
type docResult struct {
	// readErr ends a whole file that could not be read to its end.
	readErr   error
	findings  []Finding
	refs      []docRef
	objs      []*Object
	facts     []ObjectFacts
	services  []ServiceFacts
	objects   int
	skipped   map[string]int
	documents int
}

func (l *Linter) run(ctx context.Context, srcs []source, emit func(Finding)) (*Summary, error) {
	return l.runObjects(ctx, srcs, emit, nil)
}

// Objects lints data like LintBytes and also returns the KubeVirt objects
// it decoded, in input order, for tools that inspect them (explain, gen).
func (l *Linter) Objects(name string, data []byte) ([]*Object, []Finding, *Summary) {
	keep := *l
	keep.keepObjects = true
	var (
		objs []*Object
		out  []Finding
	)
	src := source{name: name, open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	sum, _ := keep.runObjects(context.Background(), []source{src}, func(f Finding) { out = append(out, f) },
		func(o *Object) { objs = append(objs, o) })
	return objs, out, sum
}

func (l *Linter) runObjects(ctx context.Context, srcs []source, emit func(Finding), onObject func(*Object)) (*Summary, error) {
	sum := newSummary()
	workers := l.opts.Workers
	queue := make(chan *job, workers*8)
	work := make(chan *job, workers*2)

	for range workers {
		go func() {
			for j := range work {
				if j.whole != nil {
					j.done <- l.lintWhole(j.whole)
				} else {
					j.done <- l.lintChunk(j.name, j.c)
				}
			}
		}()
	}

	go func() {
		defer close(queue)
		defer close(work)
		for i, src := range srcs {
			if ctx.Err() != nil {
				return
			}
			l.readSource(ctx, i, src, queue, work)
		}
	}()

	// Findings stream out document by document, in order, each document's
	// sorted. A file-wide rule checks each candidate object against the
	// Services read so far when the object comes, and again against each
	// Service that comes after it; a finding found late comes out with the
	// document of the Service that made it. Only the candidates' facts,
	// not findings, wait to the end of the file.
	fc := fileChecker{l: l}
	out := func(fs []Finding) {
		SortFindings(fs)
		for _, f := range fs {
			if l.opts.Disabled[f.RuleID] {
				continue
			}
			if f.Suppressed != nil {
				sum.Suppressed++
			} else {
				sum.Findings[f.Severity.String()]++
			}
			emit(f)
		}
	}
	for j := range queue {
		if j.c != nil || j.whole != nil {
			res := <-j.done
			if onObject != nil {
				for _, o := range res.objs {
					onObject(o)
				}
			}
			for _, r := range res.refs {
				l.opts.OnObject(r.file, r.document, r.ref)
			}
			out(fc.add(res.findings, res.facts, res.services))
			sum.Objects += res.objects
			sum.Documents += res.documents
			for k, n := range res.skipped {
				sum.Skipped[k] += n
			}
			if j.whole == nil {
				continue
			}
			j.err = res.readErr
		}
		// End of a file.
		sum.Files++
		if j.err != nil {
			sum.InputErrors = append(sum.InputErrors, InputError{File: j.name, Err: j.err, arg: j.arg})
		}
		fc.reset()
	}
	return sum, ctx.Err()
}

// readSource splits one input into documents and queues them, then queues
// the end-of-file marker.
func (l *Linter) readSource(ctx context.Context, idx int, src source, queue, work chan<- *job) {
	if src.whole {
		j := &job{file: idx, arg: src.arg, name: src.name, whole: &src, done: make(chan docResult, 1)}
		queue <- j
		work <- j
		return
	}
	end := &job{file: idx, arg: src.arg, name: src.name}
	defer func() { queue <- end }()
	rc, err := src.open()
	if err != nil {
		end.err = err
		return
	}
	defer rc.Close()
	sp := newSplitter(rc, l.opts.MaxDocumentBytes)
	defer sp.release()
	for ctx.Err() == nil {
		c, err := sp.next()
		if err == io.EOF {
			return
		}
		if err != nil {
			end.err = fmt.Errorf("reading: %w", err)
			return
		}
		if !c.tooLarge && isBlank(c.data) {
			continue
		}
		j := &job{file: idx, name: src.name, c: c, done: make(chan docResult, 1)}
		queue <- j
		work <- j
	}
}

// lintWhole reads one file and lints its documents in order, as a single
// result.
func (l *Linter) lintWhole(src *source) (res docResult) {
	rc, err := src.open()
	if err != nil {
		res.readErr = err
		return res
	}
	defer rc.Close()
	sp := newSplitter(rc, l.opts.MaxDocumentBytes)
	defer sp.release()
	for {
		c, err := sp.next()
		if err == io.EOF {
			return res
		}
		if err != nil {
			res.readErr = fmt.Errorf("reading: %w", err)
			return res
		}
		if !c.tooLarge && isBlank(c.data) {
			continue
		}
		r := l.lintChunk(src.name, c)
		res.findings = append(res.findings, r.findings...)
		res.objs = append(res.objs, r.objs...)
		res.refs = append(res.refs, r.refs...)
		res.facts = append(res.facts, r.facts...)
		res.services = append(res.services, r.services...)
		res.objects += r.objects
		res.documents += r.documents
		for k, n := range r.skipped {
			res.count(k, n)
		}
	}
}

// lintChunk parses and lints one document. It never panics: a panic in a
// rule becomes a finding, so one bad document cannot stop the run.
func (l *Linter) lintChunk(file string, c *chunk) (res docResult) {
	res.documents = 1
	defer func() {
		if r := recover(); r != nil {
			res.findings = append(res.findings, l.finding(InternalErrorRuleID, file, c.index, c.line, 1, ObjectRef{}, "",
				fmt.Sprintf("internal error while linting this document (please report it): %v", r)))
			if debugPanics {
				panic(r)
			}
		}
	}()
	if c.tooLarge {
		res.findings = append(res.findings, l.finding(DocumentTooLargeRuleID, file, c.index, c.line, 1, ObjectRef{}, "",
			fmt.Sprintf("document is %d bytes, over the limit of %d bytes; it was not linted", c.size, l.opts.MaxDocumentBytes)))
		return res
	}
	var root yaml.Node
	if err := yaml.Unmarshal(c.data, &root); err != nil {
		line, col, msg := parseErrorPosition(err, c.data)
		// Documentation snippets carry AsciiDoc callouts ("port: 1500 <1>").
		// Report the first, then lint the snippet without them, so the
		// health checks in it are still checked.
		cleaned, cline, ccol, ok := stripCallouts(c.data)
		if !ok || yaml.Unmarshal(cleaned, &root) != nil {
			res.findings = append(res.findings, l.finding(YAMLSyntaxRuleID, file, c.index, c.line+line-1, col, ObjectRef{}, "", msg))
			return res
		}
		res.findings = append(res.findings, l.finding(YAMLSyntaxRuleID, file, c.index, c.line+cline-1, ccol, ObjectRef{}, "",
			"YAML syntax error: AsciiDoc callout is not YAML (a documentation snippet?); the document was linted with its callouts removed"))
	}
	l.walkObjects(&res, file, c, resolve(&root), "", false, 0)
	return res
}

// walkObjects finds the KubeVirt objects in a document: the document itself,
// the items of a List, or the objects of an OpenShift Template.
func (l *Linter) walkObjects(res *docResult, file string, c *chunk, n *yaml.Node, path string, inTemplate bool, depth int) {
	if n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		res.count("(not an object)", 1)
		return
	}
	apiVersion, kind := scalarAt(n, "apiVersion"), scalarAt(n, "kind")
	switch {
	case kind == "Template" && (apiVersion == "template.openshift.io/v1" || apiVersion == "v1") && depth < 4:
		l.walkList(res, file, c, n, path, "objects", true, depth)
		return
	case strings.HasSuffix(kind, "List") && depth < 4 && lookup(n, "items") != nil:
		l.walkList(res, file, c, n, path, "items", inTemplate, depth)
		return
	case kind == "Service" && apiVersion == "v1":
		res.services = append(res.services, serviceFacts(n))
	}
	if apiVersion == "" && kind == "" {
		if shape, ok := matchFragment(n); ok {
			l.lintObjectAs(res, file, c, wrapFragment(n, shape), fragmentKindInfo(shape), true,
				ObjectRef{Kind: FragmentKind, Path: path}, inTemplate)
			return
		}
	}
	info, known, served := kindFor(apiVersion, kind)
	if !known {
		if kind == "" {
			kind = "(no kind)"
		}
		res.count(kind, 1)
		return
	}
	l.lintObjectAs(res, file, c, n, info, served, ObjectRef{APIVersion: apiVersion, Kind: kind, Path: path}, inTemplate)
}

func (l *Linter) walkList(res *docResult, file string, c *chunk, n *yaml.Node, path, key string, inTemplate bool, depth int) {
	items := resolve(lookup(n, key))
	if items == nil || items.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range items.Content {
		p := fmt.Sprintf("%s[%d]", key, i)
		if path != "" {
			p = path + "." + p
		}
		l.walkObjects(res, file, c, resolve(item), p, inTemplate, depth+1)
	}
}

func (res *docResult) count(kind string, n int) {
	if res.skipped == nil {
		res.skipped = map[string]int{}
	}
	res.skipped[kind] += n
}

// scalarAt returns the string value of key in mapping n, or "".
func scalarAt(n *yaml.Node, key string) string {
	v := resolve(lookup(n, key))
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// issueRules maps what the decoder finds to the rules that report it.
var issueRules = map[issueKind]string{
	issueUnknownField:  UnknownFieldRuleID,
	issueDuplicateKey:  DuplicateKeyRuleID,
	issueInvalidType:   InvalidTypeRuleID,
	issueTemplateParam: TemplateParameterRuleID,
	issueTooComplex:    ObjectTooComplexRuleID,
	issueAmbiguous:     AmbiguousValueRuleID,
}

// lintObjectAs decodes one KubeVirt object with info and runs every rule on
// it. served is false for an apiVersion KubeVirt no longer serves.
func (l *Linter) lintObjectAs(res *docResult, file string, c *chunk, n *yaml.Node, info kindInfo, served bool, ref ObjectRef, inTemplate bool) {
	typed := info.newTyped()
	dec := newDecoder(inTemplate)
	dec.decode(n, reflect.ValueOf(typed).Elem())

	meta := info.meta(typed)
	obj := &Object{
		Ref:        ObjectRef{APIVersion: ref.APIVersion, Kind: ref.Kind, Namespace: meta.Namespace, Name: meta.Name, Path: ref.Path},
		File:       file,
		Document:   c.index,
		Node:       n,
		Typed:      typed,
		Meta:       meta,
		InTemplate: inTemplate,
		lineOffset: c.line - 1,
	}
	var tmplMeta = meta
	obj.Spec, tmplMeta, obj.SpecPath = info.spec(typed)
	if tmplMeta != nil {
		obj.TemplateLabels = tmplMeta.Labels
	}
	res.objects++
	if l.opts.OnObject != nil {
		res.refs = append(res.refs, docRef{file: file, document: c.index, ref: obj.Ref})
	}

	for _, is := range dec.issues {
		if is.kind == issueInvalidType || is.kind == issueTemplateParam {
			obj.badPaths = append(obj.badPaths, is.path)
		}
	}
	ignored := ignoredRules(meta.Annotations)
	var found []Finding
	for _, is := range dec.issues {
		line, col := 0, 0
		if is.node != nil {
			line, col = is.node.Line+obj.lineOffset, is.node.Column
		}
		found = append(found, l.finding(issueRules[is.kind], file, c.index, line, col, obj.Ref, is.path, is.msg))
	}
	if !served {
		line, col := obj.Position("apiVersion")
		found = append(found, l.finding(APIVersionRuleID, file, c.index, line, col, obj.Ref, "apiVersion",
			fmt.Sprintf("apiVersion %s is not served by KubeVirt any more; use %s", ref.APIVersion, servedVersionFor(ref.Kind))))
	}
	if !dec.stopped {
		for _, r := range l.rules {
			found = append(found, l.runRule(r, obj)...)
		}
		if f, ok := l.candidateFacts(obj); ok {
			res.facts = append(res.facts, f)
		}
	}
	if l.keepObjects {
		res.objs = append(res.objs, obj)
	}
	for i := range found {
		if reason, ok := ignored.match(found[i].RuleID); ok {
			found[i].Suppressed = &Suppression{Kind: "annotation", Justification: reason}
		}
	}
	res.findings = append(res.findings, found...)
}

func servedVersionFor(kind string) string {
	if kind == "VirtualMachinePool" {
		return "pool.kubevirt.io/v1beta1"
	}
	return "kubevirt.io/v1"
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
	for _, e := range r.Check(obj, &l.opts) {
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

// finding builds a finding for rule id with the rule's current severity and
// remediation.
func (l *Linter) finding(id, file string, doc, line, col int, ref ObjectRef, fieldPath, msg string) Finding {
	f := Finding{RuleID: id, Severity: SeverityError, File: file, Line: line, Column: col, Document: doc,
		Object: ref, Field: fieldPath, Message: msg}
	if r := l.all[id]; r != nil {
		f.Severity = r.Severity
		f.Remediation = r.Remediation
	}
	if s, ok := l.opts.SeverityOverrides[id]; ok {
		f.Severity = s
	}
	if file == "" {
		f.Line, f.Column = 0, 0
	}
	return f
}

// InternalErrorRuleID marks a finding about a bug in vmhealth itself.
const InternalErrorRuleID = "internal-error"

// debugPanics re-raises panics in lintChunk, for debugging tests.
var debugPanics = false
