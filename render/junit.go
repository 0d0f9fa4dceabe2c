package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"

	"github.com/vmhealth/vmhealth/validate"
)

var _ = register("junit", newJUnit)

// JUnit XML for the test reports of Jenkins and GitLab: one testsuite a
// file, one testcase an object (clean objects pass), in input order.
//
// A testcase with findings at or above Options.FailOn fails with one
// <failure> that lists every such finding, one block each in the form of
// the text output. One failure, not one a finding, because Jenkins and
// GitLab show only the first failure of a testcase. Suppressed findings
// and those below FailOn are listed in <system-out>; a testcase whose
// findings are all suppressed is <skipped>. An input that could not be read
// is a testcase with an <error>.
//
// Memory does not grow with the findings: a testcase is written to a
// temporary spool as soon as findings for another object come, with its
// findings beside it, and only where it lies stays in memory. A finding
// may still come for an earlier object of the file (a Service that
// selects an earlier VM): its testcase is read back from the spool and
// written again. Flush writes the <testsuites> element, whose attributes
// need the totals, and copies each suite's testcases from the spool after
// the suite's own opening tag.
type junitFormat struct {
	w      io.Writer
	opts   Options
	suites []*junitSuite
	byFile map[string]*junitSuite
	cur    *junitSuite
	spool  *spool
}

type junitSuite struct {
	name  string
	cases []*junitCase
	byKey map[string]*junitCase
	// open is the testcase findings come for now; every other one is in
	// the spool.
	open *junitCase
	err  string
	// Once the file is done: its counts and where its testcases are.
	counts  junitXMLSuite
	ranges  []spoolRange
	written bool
}

type junitCase struct {
	name, suite string
	file        string
	findings    []validate.Finding
	// Once spooled: where its XML and its findings (JSON) are, and
	// whether it failed or was skipped.
	xml, saved      spoolRange
	spooled         bool
	failed, skipped bool
}

type junitXMLSuites struct {
	XMLName  xml.Name        `xml:"testsuites"`
	Name     string          `xml:"name,attr"`
	Tests    int             `xml:"tests,attr"`
	Failures int             `xml:"failures,attr"`
	Errors   int             `xml:"errors,attr"`
	Skipped  int             `xml:"skipped,attr"`
	Suites   []junitXMLSuite `xml:"testsuite"`
}

type junitXMLSuite struct {
	Name     string         `xml:"name,attr"`
	Tests    int            `xml:"tests,attr"`
	Failures int            `xml:"failures,attr"`
	Errors   int            `xml:"errors,attr"`
	Skipped  int            `xml:"skipped,attr"`
	Time     string         `xml:"time,attr"`
	Cases    []junitXMLCase `xml:"testcase"`
}

type junitXMLCase struct {
	XMLName   xml.Name        `xml:"testcase"`
	Name      string          `xml:"name,attr"`
	Classname string          `xml:"classname,attr"`
	File      string          `xml:"file,attr,omitempty"`
	Time      string          `xml:"time,attr"`
	Failure   *junitXMLResult `xml:"failure,omitempty"`
	Error     *junitXMLResult `xml:"error,omitempty"`
	Skipped   *junitXMLResult `xml:"skipped,omitempty"`
	SystemOut *junitXMLText   `xml:"system-out,omitempty"`
}

// junitXMLText is element text written as CDATA, so the finding blocks
// read in the file as they do on a terminal.
type junitXMLText struct {
	Text string `xml:",cdata"`
}

type junitXMLResult struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

func newJUnit(w io.Writer, opts Options) Formatter {
	return &junitFormat{w: w, opts: opts, byFile: map[string]*junitSuite{}}
}

func (j *junitFormat) suite(file string) *junitSuite {
	s, ok := j.byFile[file]
	if !ok {
		s = &junitSuite{name: xmlSafe(junitSuiteName(file)), byKey: map[string]*junitCase{}}
		j.byFile[file] = s
		j.suites = append(j.suites, s)
	}
	if s != j.cur && !s.written {
		if err := j.finish(j.cur); err != nil && j.spool.err == nil {
			j.spool.err = err
		}
		j.cur = s
	}
	return s
}

// finish writes the rest of a suite to the spool, keeps its counts and
// where its testcases are, and lets go of the rest.
func (j *junitFormat) finish(s *junitSuite) error {
	if s == nil || s.written {
		return nil
	}
	j.spoolCase(s.open)
	s.open = nil
	s.written = true
	s.counts = junitXMLSuite{Name: s.name, Time: "0"}
	for _, c := range s.cases {
		switch {
		case c.failed:
			s.counts.Failures++
		case c.skipped:
			s.counts.Skipped++
		}
		s.counts.Tests++
		s.ranges = append(s.ranges, c.xml)
	}
	s.cases, s.byKey = nil, nil
	if j.spool == nil {
		return nil // a suite without testcases wrote nothing
	}
	return j.spool.err
}

func (j *junitFormat) Write(f validate.Finding) error {
	c := j.testcaseFor(f.File, f.Document, f.Object)
	c.findings = append(c.findings, f)
	return nil
}

// WriteObject makes a testcase for every object linted, so that a clean one
// is reported as passing.
func (j *junitFormat) WriteObject(file string, document int, ref validate.ObjectRef) {
	j.testcaseFor(file, document, ref)
}

func (j *junitFormat) testcaseFor(file string, document int, ref validate.ObjectRef) *junitCase {
	s := j.suite(file)
	name := xmlSafe(ref.WithPath())
	if name == "" {
		name = fmt.Sprintf("(document %d)", document)
	}
	key := fmt.Sprintf("%d\x00%s", document, name)
	c, ok := s.byKey[key]
	if !ok {
		c = &junitCase{name: name, suite: s.name, file: file}
		s.byKey[key] = c
		s.cases = append(s.cases, c)
	}
	if c != s.open {
		j.spoolCase(s.open)
		j.reopen(c)
		s.open = c
	}
	return c
}

func (j *junitFormat) Flush(sum *validate.Summary) error {
	if err := j.finish(j.cur); err != nil {
		return err
	}
	if j.spool != nil {
		defer j.spool.close()
	}
	if sum != nil {
		for _, e := range sum.InputErrors {
			msg := "could not be read"
			if e.Err != nil {
				msg = e.Err.Error()
			}
			s, ok := j.byFile[e.File]
			if !ok {
				s = &junitSuite{name: xmlSafe(junitSuiteName(e.File)), written: true, counts: junitXMLSuite{Name: xmlSafe(junitSuiteName(e.File)), Time: "0"}}
				j.byFile[e.File] = s
				j.suites = append(j.suites, s)
			}
			s.err = xmlSafe(msg)
		}
	}
	root := junitXMLSuites{Name: "vmhealth"}
	for _, s := range j.suites {
		if s.err != "" {
			s.counts.Errors++
			s.counts.Tests++
		}
		root.Tests += s.counts.Tests
		root.Failures += s.counts.Failures
		root.Errors += s.counts.Errors
		root.Skipped += s.counts.Skipped
	}
	if len(j.suites) == 0 {
		// A report without a single test reads as a broken pipeline; say
		// what was linted instead.
		name := "lint"
		if sum != nil {
			name = fmt.Sprintf("lint: %s, %s", plural(sum.Files, "file"), plural(sum.Objects, "object"))
		}
		root.Suites = []junitXMLSuite{{Name: "vmhealth", Tests: 1, Time: "0", Cases: []junitXMLCase{{Name: name, Classname: "vmhealth", Time: "0"}}}}
		root.Tests = 1
		b, err := xml.MarshalIndent(root, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(j.w, "%s%s\n", xml.Header, b)
		return err
	}
	bw := bufio.NewWriterSize(j.w, 1<<16)
	open, err := xml.Marshal(root)
	if err != nil {
		return err
	}
	// The opening tag of <testsuites> with its attributes, as MarshalIndent
	// writes it: everything up to the closing tag of the empty element.
	bw.WriteString(xml.Header)
	bw.Write(bytes.TrimSuffix(open, []byte("</testsuites>")))
	for _, s := range j.suites {
		head := s.counts
		b, err := xml.Marshal(head)
		if err != nil {
			return err
		}
		// <junitXMLSuite ...></junitXMLSuite>: keep the attributes.
		attrs := b[len("<junitXMLSuite"):bytes.IndexByte(b, '>')]
		bw.WriteString("\n  <testsuite")
		bw.Write(attrs)
		bw.WriteString(">")
		if s.err != "" {
			xc := junitXMLCase{Name: "read", Classname: s.name, Time: "0",
				Error: &junitXMLResult{Message: s.err, Type: "input-error", Text: s.name + ": " + s.err}}
			b, err := xml.MarshalIndent(xc, "    ", "  ")
			if err != nil {
				return err
			}
			bw.WriteString("\n")
			bw.Write(b)
		}
		for _, r := range s.ranges {
			if err := j.spool.copyRange(bw, r.start, r.end); err != nil {
				return err
			}
		}
		if s.err == "" && len(s.ranges) == 0 {
			// An empty suite is written as MarshalIndent does.
			bw.WriteString("</testsuite>")
		} else {
			bw.WriteString("\n  </testsuite>")
		}
	}
	bw.WriteString("\n</testsuites>\n")
	return bw.Flush()
}

// spoolCase writes c's testcase to the spool, and its findings beside it
// in case more come for it, and lets go of them.
func (j *junitFormat) spoolCase(c *junitCase) {
	if c == nil || c.spooled {
		return
	}
	if j.spool == nil {
		j.spool = newSpool()
	}
	xc := j.testcase(c)
	c.failed, c.skipped = xc.Failure != nil, xc.Skipped != nil
	b, err := xml.MarshalIndent(xc, "    ", "  ")
	if err != nil {
		j.spool.fail(err)
		return
	}
	c.xml = j.spool.append([]byte("\n"), b)
	c.saved = spoolRange{}
	if len(c.findings) > 0 {
		data, err := json.Marshal(c.findings)
		if err != nil {
			j.spool.fail(err)
			return
		}
		c.saved = j.spool.append(data)
	}
	c.findings, c.spooled = nil, true
}

// reopen reads a spooled testcase's findings back, for more to be added;
// its XML is written again when it is spooled next.
func (j *junitFormat) reopen(c *junitCase) {
	if !c.spooled {
		return
	}
	c.spooled = false
	if c.saved.end == c.saved.start {
		return
	}
	data, err := j.spool.read(c.saved)
	if err == nil {
		err = json.Unmarshal(data, &c.findings)
	}
	if err != nil {
		j.spool.fail(err)
	}
}
