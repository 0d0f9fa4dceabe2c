// Package baseline records the findings a project has accepted, so that a
// CI gate fails only on new ones.
//
// A baseline file is JSON: a version, the fingerprint scheme, and one entry
// a finding with its fingerprint and, for people reviewing the file, the
// rule, file, object, field and message. Fingerprints leave out line
// numbers (see Fingerprinter), so an accepted finding stays accepted when
// the file around it changes.
//
// A run uses a Baseline to mark the findings it knows as suppressed (kind
// "baseline"), and a Recorder to write a new baseline from a run.
package baseline

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/vmhealth/vmhealth/internal/atomicfile"
	"github.com/vmhealth/vmhealth/validate"
)

// Version is the version of the baseline file format.
const Version = 1

// SuppressionKind is the validate.Suppression kind of a finding that a
// baseline accepts.
const SuppressionKind = "baseline"

// File is a baseline file as stored.
type File struct {
	// Version is the file format's version, Version.
	Version int `json:"version"`
	// Fingerprint is the fingerprint scheme, FingerprintVersion.
	Fingerprint string `json:"fingerprint"`
	// Findings are the accepted findings, sorted by file, rule, object,
	// field and fingerprint so that the file diffs well.
	Findings []Entry `json:"findings"`
}

// Entry is one accepted finding. Only Fingerprint is used for matching;
// the rest is there for people reading the file.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	File        string `json:"file,omitempty"`
	Object      string `json:"object,omitempty"`
	Field       string `json:"field,omitempty"`
	Message     string `json:"message"`
}

// Baseline matches a run's findings against a baseline file.
type Baseline struct {
	path    string
	fp      *Fingerprinter
	known   map[string]bool // fingerprint → seen in this run
	entries int
}

// Load reads the baseline file at path. File paths in it are relative to
// the file's directory.
func Load(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("baseline %s does not exist (write one with --baseline-write)", path)
		}
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	b := &Baseline{path: path, fp: NewFingerprinter(filepath.Dir(path)), known: map[string]bool{}, entries: len(f.Findings)}
	for _, e := range f.Findings {
		b.known[e.Fingerprint] = false
	}
	return b, nil
}

// Parse decodes a baseline file, refusing unknown keys, other versions and
// other fingerprint schemes.
func Parse(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a vmhealth baseline: %w", err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("version %d is not supported (this vmhealth reads version %d); rewrite it with --baseline-write", f.Version, Version)
	}
	if f.Fingerprint != FingerprintVersion {
		return nil, fmt.Errorf("fingerprints of scheme %q are not supported (this vmhealth uses %q); rewrite it with --baseline-write", f.Fingerprint, FingerprintVersion)
	}
	for i, e := range f.Findings {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("findings[%d] has no fingerprint", i)
		}
	}
	return &f, nil
}

// Apply marks f as suppressed when the baseline holds it and reports
// whether it did. Findings already suppressed (by annotation) are left
// alone but still counted, so occurrences line up with the run that wrote
// the baseline. Call it once a finding, in output order.
func (b *Baseline) Apply(f *validate.Finding) bool {
	fp := b.fp.Fingerprint(*f)
	if f.Suppressed != nil {
		return false
	}
	if _, ok := b.known[fp]; !ok {
		return false
	}
	b.known[fp] = true
	f.Suppressed = &validate.Suppression{Kind: SuppressionKind, Justification: "accepted in baseline " + filepath.ToSlash(b.path)}
	return true
}

// Len returns the number of findings the baseline holds.
func (b *Baseline) Len() int { return b.entries }

// Unmatched returns how many of the baseline's findings the run did not
// see: fixed, or no longer linted. A positive number means the baseline can
// be rewritten smaller.
func (b *Baseline) Unmatched() int {
	n := 0
	for _, seen := range b.known {
		if !seen {
			n++
		}
	}
	return n
}

// Recorder collects a run's findings into a new baseline file.
type Recorder struct {
	path string
	fp   *Fingerprinter
	file File
}

// NewRecorder returns a Recorder that will write to path.
func NewRecorder(path string) *Recorder {
	return &Recorder{path: path, fp: NewFingerprinter(filepath.Dir(path)),
		file: File{Version: Version, Fingerprint: FingerprintVersion, Findings: []Entry{}}}
}

// Add records f unless it is suppressed by an annotation, which already
// says why it is accepted. Call it once a finding, in output order.
func (r *Recorder) Add(f validate.Finding) {
	fp := r.fp.Fingerprint(f)
	if f.Suppressed != nil && f.Suppressed.Kind != SuppressionKind {
		return
	}
	r.file.Findings = append(r.file.Findings, Entry{
		Fingerprint: fp,
		Rule:        f.RuleID,
		File:        r.fp.Path(f.File),
		Object:      f.Object.WithPath(),
		Field:       f.Field,
		Message:     f.Message,
	})
}

// Len returns the number of findings recorded.
func (r *Recorder) Len() int { return len(r.file.Findings) }

// Write replaces the baseline file atomically: a reader sees the old file
// or the new one, never a mix.
func (r *Recorder) Write() error {
	data, err := r.Marshal()
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(r.path, data, 0o644); err != nil {
		return fmt.Errorf("writing baseline: %w", err)
	}
	return nil
}

// Marshal returns the baseline file's content: indented JSON, findings
// sorted, ending in a newline.
func (r *Recorder) Marshal() ([]byte, error) {
	slices.SortFunc(r.file.Findings, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Object, b.Object),
			cmp.Compare(a.Field, b.Field), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	data, err := json.MarshalIndent(r.file, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
