package render

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// The JUnit output must parse as XML, with counts that add up, whatever
// the input put in names and messages.
func TestJUnitWellFormed(t *testing.T) {
	tricky := validate.Finding{RuleID: "yaml-syntax", Severity: validate.SeverityError, File: "x]]>y\x00.yaml", Line: 1, Column: 1,
		Message: "ends a CDATA section: ]]> and <tags> & \x07 bell"}
	var buf bytes.Buffer
	f := newJUnit(&buf, Options{FailOn: validate.SeverityWarning})
	for _, fi := range append(sampleFindings(), tricky) {
		if err := f.Write(fi); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Flush(sampleSummary()); err != nil {
		t.Fatal(err)
	}
	var doc junitXMLSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output is not XML: %v\n%s", err, buf.Bytes())
	}
	tests, failures, errs, skipped := 0, 0, 0, 0
	for _, s := range doc.Suites {
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d for %d testcases", s.Name, s.Tests, len(s.Cases))
		}
		tests, failures, errs, skipped = tests+s.Tests, failures+s.Failures, errs+s.Errors, skipped+s.Skipped
	}
	if doc.Tests != tests || doc.Failures != failures || doc.Errors != errs || doc.Skipped != skipped {
		t.Errorf("testsuites counts %d/%d/%d/%d, suites add up to %d/%d/%d/%d",
			doc.Tests, doc.Failures, doc.Errors, doc.Skipped, tests, failures, errs, skipped)
	}
	if !strings.Contains(buf.String(), `\x07 bell`) {
		t.Errorf("control character not escaped:\n%s", buf.Bytes())
	}
}

func TestJUnitTestcases(t *testing.T) {
	vm := validate.ObjectRef{Kind: "VirtualMachine", Namespace: "demo", Name: "web"}
	db := validate.ObjectRef{Kind: "VirtualMachine", Namespace: "demo", Name: "db"}
	annotation := &validate.Suppression{Kind: "annotation", Justification: "known"}
	tests := []struct {
		name     string
		findings []validate.Finding
		failOn   validate.Severity
		want     []string
		notWant  []string
	}{
		{
			name: "one testcase an object, failures listed in one element",
			findings: []validate.Finding{
				{RuleID: "a", Severity: validate.SeverityError, File: "f.yaml", Line: 3, Column: 5, Object: vm, Message: "first"},
				{RuleID: "b", Severity: validate.SeverityError, File: "f.yaml", Line: 9, Column: 5, Object: vm, Message: "second"},
				{RuleID: "a", Severity: validate.SeverityError, File: "f.yaml", Line: 20, Column: 5, Object: db, Message: "third", Document: 1},
			},
			want: []string{`tests="2" failures="2"`, `message="2 findings: a, b"`, "f.yaml:3:5: error a: first", "f.yaml:9:5: error b: second",
				`name="VirtualMachine/demo/db"`, `message="a: third"`},
			notWant: []string{"<skipped"},
		},
		{
			name: "all suppressed is skipped with the reason",
			findings: []validate.Finding{
				{RuleID: "a", Severity: validate.SeverityError, File: "f.yaml", Line: 3, Column: 5, Object: vm, Message: "m", Suppressed: annotation},
			},
			want:    []string{`<skipped message="suppressed by annotation: known">`, `skipped="1"`},
			notWant: []string{"<failure"},
		},
		{
			name: "below fail-on passes, listed in system-out",
			findings: []validate.Finding{
				{RuleID: "a", Severity: validate.SeverityWarning, File: "f.yaml", Line: 3, Column: 5, Object: vm, Message: "m"},
			},
			failOn:  validate.SeverityError,
			want:    []string{`failures="0"`, "<system-out><![CDATA[f.yaml:3:5: warning a: m"},
			notWant: []string{"<failure", "<skipped"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			f := newJUnit(&buf, Options{FailOn: tt.failOn})
			for _, fi := range tt.findings {
				if err := f.Write(fi); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Flush(&validate.Summary{Findings: map[string]int{}}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(buf.String(), w) {
					t.Errorf("output has %q:\n%s", w, buf.String())
				}
			}
		})
	}
}
