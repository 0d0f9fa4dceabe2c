package validate

import "slices"

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

// docResult is what loading, and for a lint checking, one document
// produced.
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

func (res *docResult) count(kind string, n int) {
	if res.skipped == nil {
		res.skipped = map[string]int{}
	}
	res.skipped[kind] += n
}

// merge adds the results of one more document of the same file.
func (res *docResult) merge(r docResult) {
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

// docRef names one object linted, for Options.OnObject.
type docRef struct {
	file     string
	document int
	ref      ObjectRef
}

// collector turns the results of the documents of a run, in input order,
// into the findings emitted and the summary. Both the worker pool (Lint)
// and the single-goroutine runs (Objects, LintObject) feed one.
//
// Findings stream out document by document, in order, each document's
// sorted. A file-wide rule checks each candidate object against the
// Services read so far when the object comes, and again against each
// Service that comes after it; a finding found late comes out with the
// document of the Service that made it. Only the candidates' facts, not
// findings, wait to the end of the file.
type collector struct {
	l        *Linter
	sum      *Summary
	emit     func(Finding)
	onObject func(*Object)
	fc       fileChecker
	// template is set once a document of the current file was a Helm
	// template: the file is reported once.
	template bool
}

func (l *Linter) newCollector(emit func(Finding), onObject func(*Object)) *collector {
	return &collector{l: l, sum: newSummary(), emit: emit, onObject: onObject, fc: fileChecker{l: l}}
}

// out emits findings in order, counting them.
func (c *collector) out(fs []Finding) {
	SortFindings(fs)
	for _, f := range fs {
		if c.l.opts.Disabled[f.RuleID] {
			continue
		}
		if f.Suppressed != nil {
			c.sum.Suppressed++
		} else {
			c.sum.Findings[f.Severity.String()]++
		}
		c.emit(f)
	}
}

// add takes the result of one document.
func (c *collector) add(res docResult) {
	if c.onObject != nil {
		for _, o := range res.objs {
			c.onObject(o)
		}
	}
	for _, r := range res.refs {
		c.l.opts.OnObject(r.file, r.document, r.ref)
	}
	fs := res.findings
	if slices.ContainsFunc(fs, func(f Finding) bool { return f.RuleID == HelmTemplateRuleID }) {
		// One finding a template file, not one a document of it (res is
		// one document, or a whole file).
		fs = slices.DeleteFunc(slices.Clone(fs), func(f Finding) bool {
			if f.RuleID != HelmTemplateRuleID {
				return false
			}
			drop := c.template
			c.template = true
			return drop
		})
	}
	c.out(c.fc.add(fs, res.facts, res.services))
	c.sum.Objects += res.objects
	c.sum.Documents += res.documents
	for k, n := range res.skipped {
		c.sum.Skipped[k] += n
	}
}

// endFile counts the file that ended and forgets its facts.
func (c *collector) endFile(name string, arg int, err error) {
	c.sum.Files++
	if err != nil {
		c.sum.InputErrors = append(c.sum.InputErrors, InputError{File: name, Err: err, arg: arg})
	}
	c.fc.reset()
	c.template = false
}
