// Package render writes lint findings in the output formats of the vmhealth
// command line: text for people, JSON for programs, SARIF for code
// scanning, JUnit XML for test reports and GitHub Actions workflow commands
// for annotations. Each format lives in a file of its own and registers its
// constructor, so adding one touches nothing else.
package render

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/vmhealth/vmhealth/validate"
)

// Formatter writes findings in one format. Write is called once a finding,
// in the order the linter emits them (file by file, sorted within a file);
// Flush is called once at the end with the run's summary. Formats that can
// stream write as findings arrive; the others write everything in Flush.
type Formatter interface {
	Write(validate.Finding) error
	Flush(*validate.Summary) error
}

// ObjectWriter is implemented by formats that list every object linted,
// not only those with findings: JUnit reports a clean object as a passing
// testcase. WriteObject is called before the object's findings.
type ObjectWriter interface {
	WriteObject(file string, document int, ref validate.ObjectRef)
}

// Options configure a Formatter.
type Options struct {
	// Color turns on ANSI colours by severity. Formats that are not read by
	// people ignore it.
	Color bool
	// Quiet leaves out what is not a finding, such as the text summary line.
	// Formats whose output must stay well-formed (JSON) ignore it.
	Quiet bool
	// Registry supplies rule metadata for formats that describe the rules
	// they report; nil means validate.DefaultRegistry.
	Registry *validate.Registry
	// BaseDir is the directory that file paths are made relative to in
	// formats whose consumers resolve paths against a repository root
	// (SARIF); empty means the working directory.
	BaseDir string
	// ToolVersion is vmhealth's version, for formats that record it.
	ToolVersion string
	// FailOn is the lowest severity that fails the run. Formats that tell
	// failing findings from the others (JUnit) use it; the zero value,
	// info, makes every unsuppressed finding fail.
	FailOn validate.Severity
}

// Constructor builds a Formatter that writes to w.
type Constructor func(w io.Writer, opts Options) Formatter

var formats = map[string]Constructor{}

// register adds a format by name; each format file calls it once. A
// duplicate name is a programming error that every test run catches.
func register(name string, c Constructor) bool {
	if _, dup := formats[name]; dup {
		panic(fmt.Sprintf("render: format %q registered twice", name))
	}
	formats[name] = c
	return true
}

// Formats returns the names of the available formats, sorted.
func Formats() []string { return slices.Sorted(maps.Keys(formats)) }

// New returns a Formatter for the named format writing to w.
func New(format string, w io.Writer, opts Options) (Formatter, error) {
	c, ok := formats[format]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (one of: %s)", format, strings.Join(Formats(), ", "))
	}
	if opts.Registry == nil {
		opts.Registry = validate.DefaultRegistry
	}
	return c(w, opts), nil
}
