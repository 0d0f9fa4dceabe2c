package validate

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vmhealth/vmhealth/probespec"
)

// Linter lints KubeVirt manifests. It is safe for concurrent use.
type Linter struct {
	opts      Options
	rules     []*Rule // enabled rules with a Check, in ID order
	fileRules []*Rule // enabled rules with a FileCheck
	all       map[string]*Rule
	// params are each rule's parameters, defaults filled in; rules get
	// their own by value.
	params map[string]Params
	// kustomizations caches the patch files of each kustomization file
	// read (classify.go), by absolute path.
	kustomizations sync.Map
	// patchDirs caches, for each directory asked about, the patch files
	// that the kustomizations near it list (classify.go): patchedBy is
	// asked once for every object, and a directory holds thousands of
	// files or a file thousands of objects.
	patchDirs sync.Map
	// cwd is the working directory, read once, that relative paths are
	// made absolute against.
	cwd     string
	cwdOnce sync.Once
}

// New returns a Linter with the given options, or an error naming every
// option that is wrong: a rule ID that is not in the registry, an unknown
// architecture, a rule parameter the rule does not have or out of its
// range, a negative size or count.
func New(opts Options) (*Linter, error) {
	opts = opts.withDefaults()
	if err := opts.check(); err != nil {
		return nil, err
	}
	l := &Linter{opts: opts, all: map[string]*Rule{}, params: map[string]Params{}}
	for _, r := range opts.Registry.Rules() {
		l.all[r.ID] = r
		l.params[r.ID] = r.params(opts.Architecture, opts.RuleParams[r.ID])
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
	return l, nil
}

// check reports what is wrong with options whose defaults are filled in.
func (o Options) check() error {
	var errs []error
	unknown := func(where, id string) {
		msg := fmt.Sprintf("%s: unknown rule %q", where, id)
		var ids []string
		for _, r := range o.Registry.Rules() {
			ids = append(ids, r.ID)
		}
		if s := Suggest(id, ids); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, errors.New(msg))
	}
	for _, id := range sortedKeys(o.Disabled) {
		if _, ok := o.Registry.Get(id); !ok {
			unknown("disabled rules", id)
		}
	}
	for _, id := range sortedKeys(o.SeverityOverrides) {
		if _, ok := o.Registry.Get(id); !ok {
			unknown("severity overrides", id)
		} else if s := o.SeverityOverrides[id]; s < SeverityInfo || s > SeverityError {
			errs = append(errs, fmt.Errorf("severity overrides: rule %q: invalid severity %d", id, s))
		}
	}
	if !slices.Contains(probespec.Architectures, o.Architecture) {
		errs = append(errs, fmt.Errorf("unknown architecture %q (one of: %s)", o.Architecture, strings.Join(probespec.Architectures, ", ")))
	}
	for _, id := range sortedKeys(o.RuleParams) {
		r, ok := o.Registry.Get(id)
		if !ok {
			unknown("rule parameters", id)
			continue
		}
		if err := r.checkParams(o.RuleParams[id]); err != nil {
			errs = append(errs, err)
		}
	}
	if o.MaxDocumentBytes < 0 {
		errs = append(errs, fmt.Errorf("negative maximum document size %d", o.MaxDocumentBytes))
	}
	if o.Workers < 0 {
		errs = append(errs, fmt.Errorf("negative number of workers %d", o.Workers))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid linter options: %w", err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Options returns the options in effect, defaults filled in.
func (l *Linter) Options() Options { return l.opts }

// Params returns the parameters rule id runs with, defaults filled in.
func (l *Linter) Params(id string) Params { return l.params[id] }

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

// debugPanics re-raises panics in loadChunk, for debugging tests.
var debugPanics = false

// MustNew is New for options fixed in the program, as regexp.MustCompile
// is for patterns: it panics when they are wrong. Tests and examples use
// it; options that come from users go through New.
func MustNew(opts Options) *Linter {
	l, err := New(opts)
	if err != nil {
		panic(err)
	}
	return l
}
