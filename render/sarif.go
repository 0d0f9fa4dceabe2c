package render

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/vmhealth/vmhealth/baseline"
	"github.com/vmhealth/vmhealth/validate"
)

var _ = register("sarif", newSARIF)

// SARIF 2.1.0 (OASIS), the format of GitHub and GitLab code scanning. The
// types below are the part of the schema vmhealth writes; the tests check
// the output against the official schema.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// RulesDocURL is where each rule's documentation lives; a rule's
	// section is at RulesDocURL + "#" + rule ID.
	RulesDocURL = "https://github.com/vmhealth/vmhealth/blob/main/docs/rules.md"
	toolURL     = "https://github.com/vmhealth/vmhealth"
)

// sarifFingerprintKey names vmhealth's fingerprint among a result's
// partialFingerprints; the same fingerprint identifies findings in a
// baseline file.
const sarifFingerprintKey = "vmhealth/" + baseline.FingerprintVersion

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

// sarifRun is one run, its members in the order sarifFormat writes them.
type sarifRun struct {
	// ColumnKind says how columns are counted: yaml.v3 counts characters,
	// not the UTF-16 code units SARIF assumes by default.
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string               `json:"id"`
	ShortDescription     *sarifText           `json:"shortDescription,omitempty"`
	FullDescription      *sarifText           `json:"fullDescription,omitempty"`
	Help                 *sarifText           `json:"help,omitempty"`
	HelpURI              string               `json:"helpUri"`
	DefaultConfiguration sarifRuleConfig      `json:"defaultConfiguration"`
	Properties           *sarifRuleProperties `json:"properties,omitempty"`
}

// sarifText is SARIF's message and multiformatMessageString: plain text,
// and optionally the same in Markdown.
type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperties struct {
	Category string   `json:"category,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

type sarifResult struct {
	RuleID              string                 `json:"ruleId"`
	RuleIndex           int                    `json:"ruleIndex"`
	Level               string                 `json:"level"`
	Message             sarifText              `json:"message"`
	Locations           []sarifLocation        `json:"locations,omitempty"`
	PartialFingerprints map[string]string      `json:"partialFingerprints,omitempty"`
	Suppressions        []sarifSuppression     `json:"suppressions,omitempty"`
	Properties          *sarifResultProperties `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

type sarifResultProperties struct {
	Field       string `json:"field,omitempty"`
	Remediation string `json:"remediation,omitempty"`
	Document    int    `json:"document"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// sarifFormat streams the log: each result is written as it arrives, so
// memory stays flat however many findings a run has. JSON members have no
// order, so the run lists its results first and its tool, with the rules
// that were reported (in the order they were first reported, which is what
// each result's ruleIndex counts), and its invocation after them, in
// Flush, once they are known.
type sarifFormat struct {
	opts      Options
	fp        *baseline.Fingerprinter
	ruleIDs   []string
	ruleIndex map[string]int
	results   arrayStream
	// lastFile and lastURI keep the artifact URI of the file placed last:
	// results come file by file.
	lastFile, lastURI string
}

// sarifHeader opens the log up to the results array; the indentation is
// that of json.MarshalIndent with two spaces.
const sarifHeader = "{\n  \"$schema\": \"" + sarifSchema + "\",\n  \"version\": \"" + sarifVersion +
	"\",\n  \"runs\": [\n    {\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": "

func newSARIF(w io.Writer, opts Options) Formatter {
	return &sarifFormat{opts: opts, fp: baseline.NewFingerprinter(opts.BaseDir), ruleIndex: map[string]int{},
		results: arrayStream{w: w, head: sarifHeader, indent: "        "}}
}

func (s *sarifFormat) Write(f validate.Finding) error {
	idx, ok := s.ruleIndex[f.RuleID]
	if !ok {
		idx = len(s.ruleIDs)
		s.ruleIndex[f.RuleID] = idx
		s.ruleIDs = append(s.ruleIDs, f.RuleID)
	}
	r := sarifResult{
		RuleID:              f.RuleID,
		RuleIndex:           idx,
		Level:               sarifLevel(f.Severity),
		Message:             sarifText{Text: f.Message},
		PartialFingerprints: map[string]string{sarifFingerprintKey: s.fp.Fingerprint(f)},
		Properties:          &sarifResultProperties{Field: f.Field, Remediation: f.Remediation, Document: f.Document},
	}
	if loc, ok := s.location(f.File, f.Line, f.Column, f.Object); ok {
		r.Locations = []sarifLocation{loc}
	}
	if f.Suppressed != nil {
		r.Suppressions = []sarifSuppression{{Kind: sarifSuppressionKind(f.Suppressed.Kind), Justification: f.Suppressed.Justification}}
	}
	return s.results.item(r)
}

func (s *sarifFormat) Flush(sum *validate.Summary) error {
	rules := make([]sarifRule, 0, len(s.ruleIDs))
	for _, id := range s.ruleIDs {
		rules = append(rules, s.rule(id))
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	if sum != nil {
		for _, e := range sum.InputErrors {
			inv.ExecutionSuccessful = false
			msg := e.File
			if e.Err != nil {
				msg += ": " + e.Err.Error()
			}
			n := sarifNotification{Level: "error", Message: sarifText{Text: msg}}
			if loc, ok := s.location(e.File, 0, 0, validate.ObjectRef{}); ok {
				n.Locations = []sarifLocation{loc}
			}
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
		}
	}
	tool, err := json.MarshalIndent(sarifTool{Driver: sarifDriver{
		Name:           "vmhealth",
		InformationURI: toolURL,
		Version:        s.opts.ToolVersion,
		Rules:          rules,
	}}, "      ", "  ")
	if err != nil {
		return err
	}
	invs, err := json.MarshalIndent([]sarifInvocation{inv}, "      ", "  ")
	if err != nil {
		return err
	}
	return s.results.close(",\n      \"tool\": " + string(tool) + ",\n      \"invocations\": " + string(invs) + "\n    }\n  ]\n}\n")
}

// rule describes a rule from the registry; a rule the registry does not
// know (a finding made up by a tool) gets its ID and documentation link.
func (s *sarifFormat) rule(id string) sarifRule {
	out := sarifRule{ID: id, HelpURI: RulesDocURL + "#" + id, DefaultConfiguration: sarifRuleConfig{Level: "warning"}}
	r, ok := s.opts.Registry.Get(id)
	if !ok {
		return out
	}
	out.DefaultConfiguration.Level = sarifLevel(r.Severity)
	if r.Summary != "" {
		out.ShortDescription = &sarifText{Text: r.Summary}
	}
	if d := strings.TrimSpace(r.Description); d != "" {
		out.FullDescription = &sarifText{Text: d, Markdown: d}
	}
	var text, md strings.Builder
	text.WriteString(strings.TrimSpace(r.Summary))
	md.WriteString(strings.TrimSpace(r.Description))
	if r.Remediation != "" {
		text.WriteString("\n\nFix: " + r.Remediation)
		md.WriteString("\n\n**Fix:** " + r.Remediation)
	}
	text.WriteString("\n\n" + out.HelpURI)
	md.WriteString("\n\n[Documentation of " + id + "](" + out.HelpURI + ")")
	out.Help = &sarifText{Text: strings.TrimSpace(text.String()), Markdown: strings.TrimSpace(md.String())}
	out.Properties = &sarifRuleProperties{Category: string(r.Category), Tags: []string{"kubevirt", string(r.Category)}}
	return out
}

// location places a result: in its file when it has one (not standard
// input, which code scanning cannot show), and in its object.
func (s *sarifFormat) location(file string, line, col int, obj validate.ObjectRef) (sarifLocation, bool) {
	var loc sarifLocation
	if p, ok := placeOf(file, line, col); ok {
		if p.file != s.lastFile || s.lastURI == "" {
			s.lastFile, s.lastURI = p.file, artifactURI(p.file, s.opts.BaseDir)
		}
		loc.PhysicalLocation = &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: s.lastURI}}
		if p.line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: p.line, StartColumn: p.col}
		}
	}
	if fq := objectName(obj); fq != "" {
		loc.LogicalLocations = []sarifLogicalLocation{{Name: obj.Name, FullyQualifiedName: fq, Kind: "resource"}}
	}
	return loc, loc.PhysicalLocation != nil || loc.LogicalLocations != nil
}

// artifactURI turns a path as vmhealth was given it into a URI reference
// that code scanning resolves against the repository root: relative to
// base when the path is inside it, with forward slashes and percent
// escapes; a path outside base becomes a file: URI.
func artifactURI(file, base string) string {
	if filepath.IsAbs(file) {
		if abs, err := filepath.Abs(base); err == nil {
			base = abs // "" is the working directory
		}
		rel, err := filepath.Rel(base, file)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			p := filepath.ToSlash(file)
			if !strings.HasPrefix(p, "/") {
				p = "/" + p // C:/x → /C:/x
			}
			return (&url.URL{Scheme: "file", Path: p}).String()
		}
		file = rel
	}
	p := filepath.ToSlash(filepath.Clean(file))
	u := (&url.URL{Path: p}).EscapedPath()
	// A colon in the first segment would read as a scheme.
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u
	}
	return u
}

func sarifLevel(s validate.Severity) string {
	switch s {
	case validate.SeverityError:
		return "error"
	case validate.SeverityWarning:
		return "warning"
	}
	return "note"
}

// sarifSuppressionKind maps how a finding was silenced to SARIF's words:
// an annotation in the manifest is in source; a baseline file is external.
func sarifSuppressionKind(kind string) string {
	if kind == "annotation" {
		return "inSource"
	}
	return "external"
}
