package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	sarifschema "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/xeipuuv/gojsonschema"

	"github.com/vmhealth/vmhealth/validate"
)

// checkSARIFSchema validates out against the SARIF 2.1.0 JSON schema. The
// schema is the one github.com/owenrumney/go-sarif embeds (OASIS's
// sarif-schema-2.1.0.json), read from that module's source so that the raw
// output is validated, not a copy of it decoded into the library's types
// (they write absent properties as null, which the schema rejects). The
// output is also decoded into those types refusing unknown keys, so every
// key written is one SARIF has.
func checkSARIFSchema(t *testing.T, out []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var strict sarifschema.Report
	if err := dec.Decode(&strict); err != nil {
		t.Fatalf("output does not decode as SARIF 2.1.0: %v", err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchemaJSON(t)), gojsonschema.NewBytesLoader(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("SARIF schema: %s", e)
	}
}

var sarifSchemaOnce = sync.OnceValues(func() (string, error) {
	const pkg = "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	dir, err := exec.Command("go", "list", "-f", "{{.Dir}}", pkg).Output()
	if err != nil {
		return "", fmt.Errorf("locating %s: %w", pkg, err)
	}
	file := filepath.Join(strings.TrimSpace(string(dir)), "schema.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return "", err
	}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Names) == 1 && vs.Names[0].Name == "schema" && len(vs.Values) == 1 {
				if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
					return strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return "", fmt.Errorf("no schema constant in %s", file)
})

func sarifSchemaJSON(t *testing.T) string {
	t.Helper()
	s, err := sarifSchemaOnce()
	if err != nil {
		t.Fatalf("reading the SARIF schema: %v", err)
	}
	if !strings.Contains(s, `"Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"`) {
		t.Fatalf("the schema found is not SARIF 2.1.0's")
	}
	return s
}

// checkSARIFRequired checks, on the raw output, what code scanning needs
// from every run, rule and result, beyond what the schema requires.
func checkSARIFRequired(t *testing.T, out []byte) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema == "" {
		t.Errorf("version %q, $schema %q", log.Version, log.Schema)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "vmhealth" {
		t.Errorf("tool.driver.name = %q", run.Tool.Driver.Name)
	}
	rules := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		rules[r.ID] = i
		if r.HelpURI != RulesDocURL+"#"+r.ID {
			t.Errorf("rule %s: helpUri %q", r.ID, r.HelpURI)
		}
		if r.DefaultConfiguration.Level == "" {
			t.Errorf("rule %s: no defaultConfiguration.level", r.ID)
		}
	}
	for _, res := range run.Results {
		i, ok := rules[res.RuleID]
		if !ok || i != res.RuleIndex {
			t.Errorf("result %s: ruleIndex %d does not name its rule", res.RuleID, res.RuleIndex)
		}
		if res.Level == "" || res.Message.Text == "" {
			t.Errorf("result %s: level %q, message %q", res.RuleID, res.Level, res.Message.Text)
		}
		for _, s := range res.Suppressions {
			if s.Kind != "inSource" && s.Kind != "external" {
				t.Errorf("result %s: suppression kind %q", res.RuleID, s.Kind)
			}
		}
		for _, loc := range res.Locations {
			if pl := loc.PhysicalLocation; pl != nil && (strings.HasPrefix(pl.ArtifactLocation.URI, "/") || strings.Contains(pl.ArtifactLocation.URI, `\`)) {
				t.Errorf("result %s: artifact URI %q is not relative", res.RuleID, pl.ArtifactLocation.URI)
			}
		}
	}
	return log
}

// TestSARIFFixtures checks the SARIF of real findings: valid by the schema,
// rules described from the registry, and every region starting exactly at
// the offending key (or its value) in the fixture's text.
func TestSARIFFixtures(t *testing.T) {
	out := goldenFixtures(t, "sarif", Options{})
	checkSARIFSchema(t, out)
	log := checkSARIFRequired(t, out)
	findings, _ := lintFixtures(t)
	results := log.Runs[0].Results
	if len(results) != len(findings) {
		t.Fatalf("%d results for %d findings", len(results), len(findings))
	}
	suppressed := 0
	for i, res := range results {
		f := findings[i]
		if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil || res.Locations[0].PhysicalLocation.Region == nil {
			t.Errorf("result %d (%s) has no region", i, res.RuleID)
			continue
		}
		pl := res.Locations[0].PhysicalLocation
		if pl.ArtifactLocation.URI != f.File {
			t.Errorf("result %d: uri %q, want %q", i, pl.ArtifactLocation.URI, f.File)
		}
		if pl.Region.StartLine != f.Line || pl.Region.StartColumn != f.Column {
			t.Errorf("result %d: region %d:%d, finding at %d:%d", i, pl.Region.StartLine, pl.Region.StartColumn, f.Line, f.Column)
		}
		if res.Properties.Field != "" {
			keyAt(t, filepath.FromSlash(pl.ArtifactLocation.URI), pl.Region.StartLine, pl.Region.StartColumn, res.Properties.Field)
		}
		if len(res.Suppressions) > 0 {
			suppressed++
			if s := res.Suppressions[0]; s.Kind != "inSource" || !strings.Contains(s.Justification, "guest image") {
				t.Errorf("annotation suppression = %+v, want inSource with the reason", s)
			}
		}
		if len(res.PartialFingerprints[sarifFingerprintKey]) != 32 {
			t.Errorf("result %d: partialFingerprints = %v", i, res.PartialFingerprints)
		}
	}
	if suppressed != 1 {
		t.Errorf("%d suppressed results, want 1", suppressed)
	}
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		if r.ShortDescription == nil || r.FullDescription == nil || r.Help == nil || r.Help.Markdown == "" {
			t.Errorf("rule %s is not fully described: %+v", r.ID, r)
		}
	}
}

// TestSARIFSample covers the edge cases of sampleFindings: no position, no
// file (a cluster object), a rule the registry does not know, input errors,
// and a baseline suppression.
func TestSARIFSample(t *testing.T) {
	findings := append(sampleFindings(), validate.Finding{
		RuleID: "unknown-field", Severity: validate.SeverityError, File: "examples/vm.yaml", Line: 60, Column: 3,
		Message: "accepted earlier", Suppressed: &validate.Suppression{Kind: "baseline", Justification: "accepted in baseline b.json"},
	})
	var buf bytes.Buffer
	f := newSARIF(&buf, Options{Registry: sampleRegistry(t)})
	for _, fi := range findings {
		if err := f.Write(fi); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Flush(sampleSummary()); err != nil {
		t.Fatal(err)
	}
	checkSARIFSchema(t, buf.Bytes())
	log := checkSARIFRequired(t, buf.Bytes())
	run := log.Runs[0]
	if run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].ToolExecutionNotifications) != 1 {
		t.Errorf("input error not reported: %+v", run.Invocations)
	}
	last := run.Results[len(run.Results)-1]
	if len(last.Suppressions) != 1 || last.Suppressions[0].Kind != "external" {
		t.Errorf("baseline suppression = %+v, want kind external", last.Suppressions)
	}
	for _, res := range run.Results {
		if res.RuleID == "missing-readiness" {
			if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation != nil || res.Locations[0].LogicalLocations[0].FullyQualifiedName != "VirtualMachineInstance/prod/db-0" {
				t.Errorf("cluster finding locations = %+v", res.Locations)
			}
		}
		if res.RuleID == "yaml-syntax" && res.Locations[0].PhysicalLocation.Region != nil {
			t.Errorf("finding without a position got a region")
		}
	}
}

func TestSARIFEmpty(t *testing.T) {
	var buf bytes.Buffer
	f := newSARIF(&buf, Options{Registry: validate.DefaultRegistry})
	if err := f.Flush(&validate.Summary{Findings: map[string]int{}}); err != nil {
		t.Fatal(err)
	}
	checkSARIFSchema(t, buf.Bytes())
	if !strings.Contains(buf.String(), `"results": []`) {
		t.Errorf("empty run has no results array:\n%s", buf.String())
	}
}

func TestArtifactURI(t *testing.T) {
	base := t.TempDir()
	tests := []struct {
		name, file, want string
	}{
		{name: "relative", file: "manifests/vm.yaml", want: "manifests/vm.yaml"},
		{name: "dot slash", file: "./manifests/vm.yaml", want: "manifests/vm.yaml"},
		{name: "absolute inside base", file: filepath.Join(base, "manifests", "vm.yaml"), want: "manifests/vm.yaml"},
		{name: "spaces and hashes escaped", file: "my dir/vm #1.yaml", want: "my%20dir/vm%20%231.yaml"},
		{name: "colon in first segment", file: "a:b.yaml", want: "./a:b.yaml"},
		{name: "parent", file: "../other/vm.yaml", want: "../other/vm.yaml"},
		{name: "absolute outside base", file: filepath.Join(filepath.Dir(base), "elsewhere.yaml"), want: "file://" + filepath.ToSlash(filepath.Join(filepath.Dir(base), "elsewhere.yaml"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := artifactURI(tt.file, base); got != tt.want {
				t.Errorf("artifactURI(%q) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
}

// TestSARIFStreamIsTheDocument checks that the log written result by result
// is exactly json.MarshalIndent of the whole log it describes, with and
// without results.
func TestSARIFStreamIsTheDocument(t *testing.T) {
	for _, findings := range [][]validate.Finding{nil, sampleFindings()} {
		var buf bytes.Buffer
		f := newSARIF(&buf, Options{Registry: sampleRegistry(t), ToolVersion: "v1.2.3"})
		for _, fi := range findings {
			if err := f.Write(fi); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Flush(sampleSummary()); err != nil {
			t.Fatal(err)
		}
		var log sarifLog
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, buf.String())
		}
		if len(log.Runs) != 1 || len(log.Runs[0].Results) != len(findings) {
			t.Fatalf("%d findings written, log has %+v", len(findings), log.Runs)
		}
		if log.Runs[0].Results == nil {
			log.Runs[0].Results = []sarifResult{}
		}
		want, err := json.MarshalIndent(log, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != string(want)+"\n" {
			t.Errorf("streamed log differs from the document:\n%s\n--- want:\n%s", got, want)
		}
	}
}
