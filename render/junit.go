package render

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

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
// Only the testcases of the file being read are held: findings for an
// object may come after later objects of its file (a Service that selects
// an earlier VM). When the next file begins, the suite is written to a
// temporary spool and only its counts stay in memory; Flush writes the
// <testsuites> element, whose attributes need the totals, and copies each
// suite from the spool after its own opening tag.
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
	err   string
	// Once written to the spool: its counts and where its testcases are.
	counts     junitXMLSuite
	start, end int64
	written    bool
}

type junitCase struct {
	name     string
	file     string
	findings []validate.Finding
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

// finish writes a suite's testcases to the spool, keeps its counts and
// lets go of its findings.
func (j *junitFormat) finish(s *junitSuite) error {
	if s == nil || s.written {
		return nil
	}
	if j.spool == nil {
		j.spool = newSpool()
	}
	s.written = true
	s.counts = junitXMLSuite{Name: s.name, Time: "0"}
	s.start = j.spool.size
	for _, c := range s.cases {
		xc := j.testcase(s.name, c)
		switch {
		case xc.Failure != nil:
			s.counts.Failures++
		case xc.Skipped != nil:
			s.counts.Skipped++
		}
		s.counts.Tests++
		b, err := xml.MarshalIndent(xc, "    ", "  ")
		if err != nil {
			return err
		}
		j.spool.write([]byte("\n"))
		j.spool.write(b)
	}
	s.end = j.spool.size
	s.cases, s.byKey = nil, nil
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
		c = &junitCase{name: name, file: file}
		s.byKey[key] = c
		s.cases = append(s.cases, c)
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
		if s.end > s.start {
			if err := j.spool.copyRange(bw, s.start, s.end); err != nil {
				return err
			}
		}
		if s.err == "" && s.end == s.start {
			// An empty suite is written as MarshalIndent does.
			bw.WriteString("</testsuite>")
		} else {
			bw.WriteString("\n  </testsuite>")
		}
	}
	bw.WriteString("\n</testsuites>\n")
	return bw.Flush()
}

// testcase turns one object's findings into its testcase.
func (j *junitFormat) testcase(suite string, c *junitCase) junitXMLCase {
	xc := junitXMLCase{Name: c.name, Classname: suite, Time: "0"}
	if fileShown(c.file) {
		xc.File = xmlSafe(c.file)
	}
	if len(c.findings) == 0 {
		return xc // a clean object: a passing testcase
	}
	var failing, other []validate.Finding
	for _, f := range c.findings {
		if f.Suppressed == nil && f.Severity >= j.opts.FailOn {
			failing = append(failing, f)
		} else {
			other = append(other, f)
		}
	}
	if len(other) > 0 {
		xc.SystemOut = &junitXMLText{Text: junitBlocks(other)}
	}
	switch {
	case len(failing) > 0:
		worst := validate.SeverityInfo
		for _, f := range failing {
			worst = max(worst, f.Severity)
		}
		xc.Failure = &junitXMLResult{Message: xmlSafe(junitSummary(failing)), Type: worst.String(), Text: junitBlocks(failing)}
	case allSuppressed(c.findings):
		msg := "suppressed"
		if s := c.findings[0].Suppressed; len(c.findings) == 1 {
			msg = "suppressed by " + s.Kind
			if s.Justification != "" {
				msg += ": " + s.Justification
			}
		}
		xc.Skipped = &junitXMLResult{Message: xmlSafe(msg)}
	}
	return xc
}

// junitSummary is a failure's message: the finding itself when there is
// one, else how many and which rules.
func junitSummary(fs []validate.Finding) string {
	if len(fs) == 1 {
		return fs[0].RuleID + ": " + fs[0].Message
	}
	var rules []string
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			rules = append(rules, f.RuleID)
		}
	}
	return fmt.Sprintf("%d findings: %s", len(fs), strings.Join(rules, ", "))
}

// junitBlocks lists findings as the text output does, without colour.
func junitBlocks(fs []validate.Finding) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s %s: %s\n", f.Location(), f.Severity, f.RuleID, f.Message)
		if f.Field != "" {
			fmt.Fprintf(&b, "  field: %s\n", f.Field)
		}
		if f.Remediation != "" {
			fmt.Fprintf(&b, "  fix: %s\n", f.Remediation)
		}
		if s := f.Suppressed; s != nil {
			fmt.Fprintf(&b, "  suppressed by %s", s.Kind)
			if s.Justification != "" {
				fmt.Fprintf(&b, ": %s", s.Justification)
			}
			b.WriteString("\n")
		}
	}
	return xmlSafe(b.String())
}

// xmlSafe writes the characters that XML 1.0 cannot hold at all, not
// even escaped (control characters taken from the input), as \xNN, as the
// text output does.
func xmlSafe(s string) string {
	bad := func(r rune) bool {
		return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF
	}
	if !strings.ContainsFunc(s, bad) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if bad(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func allSuppressed(fs []validate.Finding) bool {
	for _, f := range fs {
		if f.Suppressed == nil {
			return false
		}
	}
	return true
}

func junitSuiteName(file string) string {
	switch file {
	case "":
		return "(cluster)"
	case validate.StdinName:
		return "(standard input)"
	}
	return file
}
