package validate

import (
	"cmp"
	"fmt"
	"slices"
)

// ObjectRef names the KubeVirt object a finding belongs to.
type ObjectRef struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
	// Path locates an object nested in its document, such as objects[3] of an
	// OpenShift Template or items[0] of a List; empty for a top-level object.
	Path string `json:"path,omitempty"`
}

// String renders the reference as Kind/namespace/name.
func (o ObjectRef) String() string {
	name := o.Name
	if o.Namespace != "" {
		name = o.Namespace + "/" + name
	}
	switch {
	case o.Kind == "" && name == "":
		return ""
	case o.Kind == "":
		return name
	case name == "":
		return o.Kind
	}
	return o.Kind + "/" + name
}

// WithPath renders Kind/namespace/name, followed by the object's place in
// its document, in parentheses, when it is nested in a List or Template.
func (o ObjectRef) WithPath() string {
	s := o.String()
	if o.Path != "" {
		if s == "" {
			return o.Path
		}
		s += " (" + o.Path + ")"
	}
	return s
}

// Suppression records that a finding was silenced on purpose.
type Suppression struct {
	// Kind is how it was silenced: "annotation" or "baseline".
	Kind string `json:"kind"`
	// Justification is the reason the author gave, if any.
	Justification string `json:"justification,omitempty"`
}

// Finding is one problem found in the input. Findings are plain data: every
// output format reads the same slice of them.
type Finding struct {
	RuleID   string   `json:"rule"`
	Severity Severity `json:"severity"`
	// File is the input's name as given ("-" for standard input);
	// for objects read from a cluster it is empty.
	File string `json:"file,omitempty"`
	// Line and Column are 1-based and point at the offending key or value.
	// They are 0 when the input has no position (objects from a cluster).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Document is the 0-based index of the YAML document within the file.
	Document    int          `json:"document"`
	Object      ObjectRef    `json:"object"`
	Field       string       `json:"field,omitempty"`
	Message     string       `json:"message"`
	Remediation string       `json:"remediation,omitempty"`
	Suppressed  *Suppression `json:"suppressed,omitempty"`
}

// Location renders file:line:col, or the object's name when there is no file.
func (f Finding) Location() string {
	switch {
	case f.File == "":
		return f.Object.String()
	case f.Line == 0:
		return f.File
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
}

// CompareFindings orders findings by file, line, column, rule and message,
// which is the order every output format uses.
func CompareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Document, b.Document),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Field, b.Field),
		cmp.Compare(a.Message, b.Message),
	)
}

// SortFindings sorts in place with CompareFindings.
func SortFindings(fs []Finding) { slices.SortStableFunc(fs, CompareFindings) }
