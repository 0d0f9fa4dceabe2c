package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/vmhealth/vmhealth/validate"
)

var _ = register("github", newGitHub)

// github writes GitHub Actions workflow commands, which the runner turns
// into annotations on the pull request's changed lines:
//
//	::error file=vm.yaml,line=23,col=9,title=unknown-field::unknown field "periodSecond" …%0AFix: Rename the key …
//
// Errors become ::error, warnings ::warning and info ::notice. Suppressed
// findings are left out. Everything taken from the input is escaped by the
// workflow-command rules, so a manifest cannot end a command early or issue
// one of its own. A plain summary line ends the output.
type github struct {
	w    io.Writer
	opts Options
}

func newGitHub(w io.Writer, opts Options) Formatter { return &github{w: w, opts: opts} }

func (g *github) Write(f validate.Finding) error {
	if f.Suppressed != nil {
		return nil
	}
	var props []string
	if p, ok := placeOf(f.File, f.Line, f.Column); ok {
		props = append(props, "file="+escapeProperty(p.file))
		if p.line > 0 {
			props = append(props, "line="+strconv.Itoa(p.line))
			if p.col > 0 {
				props = append(props, "col="+strconv.Itoa(p.col))
			}
		}
	}
	props = append(props, "title="+escapeProperty(f.RuleID))
	msg := f.Message
	if !fileShown(f.File) {
		// Without a file the annotation is not on a line; say where.
		if where := f.Object.WithPath(); where != "" {
			msg = where + ": " + msg
		}
	}
	if f.Field != "" {
		msg += "\nField: " + f.Field
	}
	if f.Remediation != "" {
		msg += "\nFix: " + f.Remediation
	}
	_, err := fmt.Fprintf(g.w, "::%s %s::%s\n", githubCommand(f.Severity), strings.Join(props, ","), escapeData(msg))
	return err
}

func (g *github) Flush(s *validate.Summary) error {
	if s == nil {
		return nil
	}
	var b strings.Builder
	for _, e := range s.InputErrors {
		msg := e.File + ": could not be read"
		if e.Err != nil {
			msg += ": " + e.Err.Error()
		}
		fmt.Fprintf(&b, "::error title=vmhealth::%s\n", escapeData(msg))
	}
	if !g.opts.Quiet {
		fmt.Fprintf(&b, "vmhealth: %s\n", newText(nil, Options{}).(*text).summaryLine(s))
	}
	_, err := io.WriteString(g.w, b.String())
	return err
}

func githubCommand(s validate.Severity) string {
	switch s {
	case validate.SeverityError:
		return "error"
	case validate.SeverityWarning:
		return "warning"
	}
	return "notice"
}

// escapeData escapes a workflow command's message: %, CR and LF by the
// runner's rules, and other control characters as \xNN so none reaches the
// log.
func escapeData(s string) string { return escapeCommand(s, false) }

// escapeProperty escapes a property value, where : and , would end it.
func escapeProperty(s string) string { return escapeCommand(s, true) }

func escapeCommand(s string, property bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '%':
			b.WriteString("%25")
		case r == '\r':
			b.WriteString("%0D")
		case r == '\n':
			b.WriteString("%0A")
		case property && r == ':':
			b.WriteString("%3A")
		case property && r == ',':
			b.WriteString("%2C")
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
