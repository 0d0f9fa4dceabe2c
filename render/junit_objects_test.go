package render

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// TestJUnitListsCleanObjects: every object linted is a testcase; one without
// findings passes.
func TestJUnitListsCleanObjects(t *testing.T) {
	var buf bytes.Buffer
	f, err := New("junit", &buf, Options{FailOn: validate.SeverityError})
	if err != nil {
		t.Fatal(err)
	}
	ow, ok := f.(ObjectWriter)
	if !ok {
		t.Fatal("junit does not list objects")
	}
	clean := validate.ObjectRef{Kind: "VirtualMachine", Namespace: "prod", Name: "clean"}
	broken := validate.ObjectRef{Kind: "VirtualMachine", Namespace: "prod", Name: "broken"}
	ow.WriteObject("vms.yaml", 0, clean)
	ow.WriteObject("vms.yaml", 1, broken)
	if err := f.Write(validate.Finding{RuleID: "unknown-field", Severity: validate.SeverityError, File: "vms.yaml", Line: 30, Column: 7,
		Document: 1, Object: broken, Message: "unknown field"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(&validate.Summary{Files: 1, Objects: 2}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				File    string    `xml:"file,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if doc.Tests != 2 || doc.Failures != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 2 {
		t.Fatalf("tests %d, failures %d:\n%s", doc.Tests, doc.Failures, buf.String())
	}
	c := doc.Suites[0].Cases[0]
	if c.Name != "VirtualMachine/prod/clean" || c.Failure != nil || c.File != "vms.yaml" {
		t.Errorf("clean object: %+v", c)
	}
	if doc.Suites[0].Cases[1].Failure == nil {
		t.Errorf("the broken object passed:\n%s", buf.String())
	}
}
