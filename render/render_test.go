package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/internal/golden"

	"github.com/vmhealth/vmhealth/validate"
)

// sampleFindings covers what formats must handle: every severity, a
// suppressed finding, an object nested in a Template, a finding without a
// position, one from a cluster (no file), and a message with a line break
// and an escape character taken from the input.
func sampleFindings() []validate.Finding {
	vm := validate.ObjectRef{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachine", Namespace: "demo", Name: "web"}
	return []validate.Finding{
		{
			RuleID: "unknown-field", Severity: validate.SeverityError, File: "examples/vm.yaml", Line: 31, Column: 9,
			Object: vm, Field: "spec.template.spec.livenessProbe.periodSecond",
			Message:     `unknown field "periodSecond" in spec.template.spec.livenessProbe (did you mean "periodSeconds"?)`,
			Remediation: "Rename the key to the field suggested, or remove it.",
		},
		{
			RuleID: "probe-timing", Severity: validate.SeverityWarning, File: "examples/vm.yaml", Line: 40, Column: 7,
			Object: vm, Field: "spec.template.spec.readinessProbe",
			Message: "readiness probe fails over\nafter 3s", Remediation: "Raise failureThreshold.",
		},
		{
			RuleID: "watchdog-action", Severity: validate.SeverityError, File: "examples/vm.yaml", Line: 52, Column: 21,
			Object: vm, Field: "spec.template.spec.domain.devices.watchdog.i6300esb.action",
			Message:    `Unsupported value: "explode"`,
			Suppressed: &validate.Suppression{Kind: "annotation", Justification: "testing the watchdog"},
		},
		{
			RuleID: "template-parameter", Severity: validate.SeverityInfo, File: "templates/fedora.yaml", Line: 12, Column: 15, Document: 1,
			Object: validate.ObjectRef{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachine", Name: "${NAME}", Path: "objects[0]"},
			Field:  "spec.template.spec.domain.cpu.cores", Message: "${CPU_CORES} is a template parameter; its value is not checked",
		},
		{
			RuleID: "yaml-syntax", Severity: validate.SeverityError, File: "bad\x1b[31m.yaml",
			Message: "yaml: line 3: did not find expected key",
		},
		{
			RuleID: "missing-readiness", Severity: validate.SeverityInfo,
			Object: validate.ObjectRef{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachineInstance", Namespace: "prod", Name: "db-0"},
			Field:  "spec", Message: "no readinessProbe",
		},
	}
}

func sampleSummary() *validate.Summary {
	return &validate.Summary{
		Files: 3, Documents: 4, Objects: 3,
		Skipped:     map[string]int{"Service": 1},
		Findings:    map[string]int{"error": 2, "warning": 1, "info": 2},
		Suppressed:  1,
		InputErrors: []validate.InputError{{File: "missing.yaml", Err: errors.New("no such file or directory")}},
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name     string
		format   string
		opts     Options
		findings []validate.Finding
		summary  *validate.Summary
	}{
		{name: "text", format: "text", findings: sampleFindings(), summary: sampleSummary()},
		{name: "text-color", format: "text", opts: Options{Color: true}, findings: sampleFindings(), summary: sampleSummary()},
		{name: "text-quiet", format: "text", opts: Options{Quiet: true}, findings: sampleFindings(), summary: sampleSummary()},
		{name: "text-clean", format: "text", summary: &validate.Summary{Files: 1, Documents: 1, Objects: 1, Findings: map[string]int{}}},
		{name: "json", format: "json", findings: sampleFindings(), summary: sampleSummary()},
		{name: "json-empty", format: "json", summary: &validate.Summary{Files: 1, Documents: 1, Objects: 1, Findings: map[string]int{}}},
		{name: "sarif", format: "sarif", opts: Options{Registry: sampleRegistry(t), ToolVersion: "v1.2.3"}, findings: sampleFindings(), summary: sampleSummary()},
		{name: "sarif-empty", format: "sarif", opts: Options{Registry: sampleRegistry(t)}, summary: &validate.Summary{Files: 1, Documents: 1, Objects: 1, Findings: map[string]int{}}},
		{name: "junit", format: "junit", opts: Options{FailOn: validate.SeverityWarning}, findings: sampleFindings(), summary: sampleSummary()},
		{name: "junit-empty", format: "junit", summary: &validate.Summary{Files: 2, Documents: 2, Objects: 2, Findings: map[string]int{}}},
		{name: "github", format: "github", findings: sampleFindings(), summary: sampleSummary()},
		{name: "github-quiet", format: "github", opts: Options{Quiet: true}, findings: sampleFindings(), summary: sampleSummary()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			f, err := New(tt.format, &buf, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, fi := range tt.findings {
				if err := f.Write(fi); err != nil {
					t.Fatalf("Write: %v", err)
				}
			}
			if err := f.Flush(tt.summary); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			golden.Check(t, filepath.Join("testdata", tt.name+".golden"), buf.Bytes())
		})
	}
}

// The streamed JSON must be exactly what encoding/json would write for the
// whole document, so consumers can rely on it being valid and canonical.
func TestJSONStreamMatchesMarshal(t *testing.T) {
	for _, n := range []int{0, 1, len(sampleFindings())} {
		findings := sampleFindings()[:n]
		var buf bytes.Buffer
		f := newJSON(&buf, Options{})
		for _, fi := range findings {
			if err := f.Write(fi); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Flush(sampleSummary()); err != nil {
			t.Fatal(err)
		}
		doc := jsonDocument{Version: JSONVersion, Findings: []jsonFinding{}, Summary: toJSONSummary(sampleSummary())}
		for _, fi := range findings {
			doc.Findings = append(doc.Findings, toJSONFinding(fi))
		}
		want, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%d findings: streamed output differs from MarshalIndent:\n--- got\n%s\n--- want\n%s", n, buf.Bytes(), want)
		}
	}
}

func TestJSONKeepsSuppressed(t *testing.T) {
	var buf bytes.Buffer
	f := newJSON(&buf, Options{Quiet: true})
	for _, fi := range sampleFindings() {
		if err := f.Write(fi); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Flush(sampleSummary()); err != nil {
		t.Fatal(err)
	}
	var doc jsonDocument
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.Bytes())
	}
	i := slices.IndexFunc(doc.Findings, func(f jsonFinding) bool { return f.Suppressed != nil })
	if i < 0 {
		t.Fatalf("suppressed finding missing from JSON output")
	}
	if got := doc.Findings[i].Suppressed.Justification; got != "testing the watchdog" {
		t.Errorf("justification = %q", got)
	}
}

func TestTextHidesSuppressedAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	f := newText(&buf, Options{})
	for _, fi := range sampleFindings() {
		if err := f.Write(fi); err != nil {
			t.Fatal(err)
		}
	}
	out := buf.String()
	if strings.Contains(out, "watchdog-action") {
		t.Errorf("suppressed finding shown:\n%s", out)
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("escape character from the input reached the output:\n%q", out)
	}
	if strings.Contains(out, "over\nafter") {
		t.Errorf("line break in a message was kept:\n%s", out)
	}
}

func TestNew(t *testing.T) {
	for _, name := range []string{"text", "json", "sarif", "junit", "github"} {
		if !slices.Contains(Formats(), name) {
			t.Errorf("Formats() = %v, missing %q", Formats(), name)
		}
	}
	_, err := New("yaml", &bytes.Buffer{}, Options{})
	if err == nil || !strings.Contains(err.Error(), `"yaml"`) || !strings.Contains(err.Error(), "json") {
		t.Errorf("New(yaml) error = %v, want one naming the format and the choices", err)
	}
}

func TestSummaryLine(t *testing.T) {
	tests := []struct {
		name string
		sum  validate.Summary
		want string
	}{
		{
			name: "singular",
			sum:  validate.Summary{Files: 1, Objects: 1, Findings: map[string]int{"error": 1, "warning": 1, "info": 1}},
			want: "1 file, 1 object: 1 error, 1 warning, 1 info",
		},
		{
			name: "plural with suppressed",
			sum:  validate.Summary{Files: 3, Objects: 5, Findings: map[string]int{"error": 2, "warning": 1}, Suppressed: 1},
			want: "3 files, 5 objects: 2 errors, 1 warning, 0 info (1 suppressed)",
		},
		{
			name: "nothing",
			sum:  validate.Summary{Findings: map[string]int{}},
			want: "0 files, 0 objects: 0 errors, 0 warnings, 0 info",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newText(nil, Options{}).(*text).summaryLine(&tt.sum)
			if got != tt.want {
				t.Errorf("summaryLine() = %q, want %q", got, tt.want)
			}
		})
	}
}

// sampleRegistry describes the rules of sampleFindings, for the formats
// that write rule metadata; one of them (probe-timing) is left out, as a
// rule a registry may not know.
func sampleRegistry(t *testing.T) *validate.Registry {
	t.Helper()
	reg := validate.NewRegistry()
	for _, r := range []*validate.Rule{
		{ID: "unknown-field", Severity: validate.SeverityError, Category: validate.CategoryInput, Summary: "A key the API does not define.",
			Description: "Client tools drop unknown keys\nwithout a word.", Remediation: "Rename or remove the key."},
		{ID: "watchdog-action", Severity: validate.SeverityError, Category: validate.CategoryRuntime, Summary: "An unknown watchdog action.",
			Description: "libvirt refuses it when the VM starts.", Remediation: "Use poweroff, reset or shutdown."},
		{ID: "template-parameter", Severity: validate.SeverityInfo, Category: validate.CategoryInput, Summary: "A template parameter.",
			Description: "Its value is not checked.", Remediation: "None needed."},
		{ID: "yaml-syntax", Severity: validate.SeverityError, Category: validate.CategoryInput, Summary: "Not YAML.",
			Description: "The document does not parse.", Remediation: "Fix the YAML."},
		{ID: "missing-readiness", Severity: validate.SeverityWarning, Category: validate.CategoryBestPractice, Summary: "No readiness probe.",
			Description: "Services send traffic to a VM that is not ready.", Remediation: "Add a readinessProbe."},
	} {
		if err := reg.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}
