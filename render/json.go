package render

import (
	"encoding/json"
	"io"
	"maps"
	"strconv"

	"github.com/vmhealth/vmhealth/validate"
)

var _ = register("json", newJSON)

// JSONVersion is the version of the JSON output's schema. It changes only
// when a field is removed or changes meaning; new fields may appear in any
// version. docs/cli.md describes the schema.
const JSONVersion = 1

// jsonDocument is the whole JSON output. Its fields are declared here rather
// than taken from validate's types so the schema stays put when they change.
type jsonDocument struct {
	Version  int           `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonFinding struct {
	Rule        string           `json:"rule"`
	Severity    string           `json:"severity"`
	File        string           `json:"file"`
	Line        int              `json:"line"`
	Column      int              `json:"column"`
	Document    int              `json:"document"`
	Object      jsonObject       `json:"object"`
	Field       string           `json:"field,omitempty"`
	Message     string           `json:"message"`
	Remediation string           `json:"remediation,omitempty"`
	Suppressed  *jsonSuppression `json:"suppressed,omitempty"`
}

type jsonObject struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
	Path       string `json:"path,omitempty"`
}

type jsonSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

type jsonSummary struct {
	Files       int              `json:"files"`
	Documents   int              `json:"documents"`
	Objects     int              `json:"objects"`
	Skipped     map[string]int   `json:"skipped"`
	Findings    map[string]int   `json:"findings"`
	Suppressed  int              `json:"suppressed"`
	InputErrors []jsonInputError `json:"inputErrors"`
}

type jsonInputError struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// jsonFormat streams the document: the opening and each finding are
// written as they arrive, so memory stays flat however many findings a run
// has, and the summary closes the document in Flush. The output is the same
// as json.MarshalIndent of a jsonDocument with two-space indentation.
type jsonFormat struct {
	findings arrayStream
}

// jsonHeader opens the document up to the findings array.
var jsonHeader = "{\n  \"version\": " + strconv.Itoa(JSONVersion) + ",\n  \"findings\": "

func newJSON(w io.Writer, _ Options) Formatter {
	return &jsonFormat{findings: arrayStream{w: w, head: jsonHeader, indent: "    "}}
}

func (j *jsonFormat) Write(f validate.Finding) error {
	return j.findings.item(toJSONFinding(f))
}

func (j *jsonFormat) Flush(s *validate.Summary) error {
	b, err := json.MarshalIndent(toJSONSummary(s), "  ", "  ")
	if err != nil {
		return err
	}
	return j.findings.close(",\n  \"summary\": " + string(b) + "\n}\n")
}

func toJSONFinding(f validate.Finding) jsonFinding {
	out := jsonFinding{
		Rule:     f.RuleID,
		Severity: f.Severity.String(),
		File:     f.File,
		Line:     f.Line,
		Column:   f.Column,
		Document: f.Document,
		Object: jsonObject{
			APIVersion: f.Object.APIVersion,
			Kind:       f.Object.Kind,
			Namespace:  f.Object.Namespace,
			Name:       f.Object.Name,
			Path:       f.Object.Path,
		},
		Field:       f.Field,
		Message:     f.Message,
		Remediation: f.Remediation,
	}
	if f.Suppressed != nil {
		out.Suppressed = &jsonSuppression{Kind: f.Suppressed.Kind, Justification: f.Suppressed.Justification}
	}
	return out
}

func toJSONSummary(s *validate.Summary) jsonSummary {
	out := jsonSummary{
		Skipped:     map[string]int{},
		Findings:    map[string]int{},
		InputErrors: []jsonInputError{},
	}
	// Every severity is present, zero or not, so consumers need no defaults.
	for _, sev := range []validate.Severity{validate.SeverityError, validate.SeverityWarning, validate.SeverityInfo} {
		out.Findings[sev.String()] = 0
	}
	if s == nil {
		return out
	}
	out.Files, out.Documents, out.Objects, out.Suppressed = s.Files, s.Documents, s.Objects, s.Suppressed
	maps.Copy(out.Skipped, s.Skipped)
	maps.Copy(out.Findings, s.Findings)
	for _, e := range s.InputErrors {
		msg := ""
		if e.Err != nil {
			msg = e.Err.Error()
		}
		out.InputErrors = append(out.InputErrors, jsonInputError{File: e.File, Error: msg})
	}
	return out
}
