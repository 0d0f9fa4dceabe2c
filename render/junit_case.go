package render

import (
	"fmt"
	"strings"

	"github.com/vmhealth/vmhealth/validate"
)

// testcase turns one object's findings into its testcase.
func (j *junitFormat) testcase(c *junitCase) junitXMLCase {
	xc := junitXMLCase{Name: c.name, Classname: c.suite, Time: "0"}
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
