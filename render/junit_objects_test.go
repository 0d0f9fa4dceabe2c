package render

import (
	"bytes"
	"encoding/xml"
	"strings"
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

// TestJUnitLateFinding: a finding that comes for an object after later
// objects (a Service that selects an earlier VM) joins that object's
// testcase, which was already spooled, and the testcases keep input order.
func TestJUnitLateFinding(t *testing.T) {
	var buf bytes.Buffer
	f, err := New("junit", &buf, Options{FailOn: validate.SeverityWarning})
	if err != nil {
		t.Fatal(err)
	}
	ow := f.(ObjectWriter)
	vm := func(name string) validate.ObjectRef {
		return validate.ObjectRef{Kind: "VirtualMachine", Namespace: "prod", Name: name}
	}
	write := func(file string, doc int, name, rule string, sev validate.Severity) {
		t.Helper()
		if err := f.Write(validate.Finding{RuleID: rule, Severity: sev, File: file, Line: doc*10 + 1, Column: 1,
			Document: doc, Object: vm(name), Message: rule + " of " + name}); err != nil {
			t.Fatal(err)
		}
	}
	ow.WriteObject("a.yaml", 0, vm("early"))
	write("a.yaml", 0, "early", "probe-host-set", validate.SeverityInfo)
	ow.WriteObject("a.yaml", 1, vm("clean"))
	ow.WriteObject("a.yaml", 2, vm("later"))
	write("a.yaml", 2, "later", "unknown-field", validate.SeverityError)
	// The Service in document 3 selects "early".
	write("a.yaml", 0, "early", "readiness-probe-missing", validate.SeverityWarning)
	ow.WriteObject("b.yaml", 0, vm("other"))
	if err := f.Flush(&validate.Summary{Files: 2, Objects: 4}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if doc.Tests != 4 || doc.Failures != 2 || len(doc.Suites) != 2 || doc.Suites[0].Tests != 3 || doc.Suites[0].Failures != 2 {
		t.Fatalf("tests %d, failures %d:\n%s", doc.Tests, doc.Failures, buf.String())
	}
	var names []string
	for _, c := range doc.Suites[0].Cases {
		names = append(names, c.Name)
	}
	if want := "VirtualMachine/prod/early VirtualMachine/prod/clean VirtualMachine/prod/later"; strings.Join(names, " ") != want {
		t.Errorf("testcases %q, want %q", names, want)
	}
	early := doc.Suites[0].Cases[0]
	if early.Failure == nil || early.Failure.Message != "readiness-probe-missing: readiness-probe-missing of early" ||
		!strings.Contains(early.SystemOut, "probe-host-set of early") {
		t.Errorf("the early VM's testcase lost a finding:\n%s", buf.String())
	}
}
