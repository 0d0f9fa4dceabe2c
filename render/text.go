package render

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/fatih/color"

	"github.com/vmhealth/vmhealth/validate"
)

var _ = register("text", newText)

// text writes one block a finding, as each arrives:
//
//	vm.yaml:23:11: error unknown-field: unknown field "periodSecond" …
//	  object: VirtualMachine/demo/web  field: spec.template.spec.livenessProbe.periodSecond
//	  fix: Rename the key to the field suggested, or remove it.
//
// and a summary line at the end. The first line has the file:line:col form
// that editors and CI logs turn into links. Suppressed findings are not
// shown; the summary counts them.
type text struct {
	w     io.Writer
	opts  Options
	sev   map[validate.Severity]*color.Color
	faint *color.Color
	bold  *color.Color
}

func newText(w io.Writer, opts Options) Formatter {
	t := &text{
		w:    w,
		opts: opts,
		sev: map[validate.Severity]*color.Color{
			validate.SeverityError:   color.New(color.FgRed, color.Bold),
			validate.SeverityWarning: color.New(color.FgYellow, color.Bold),
			validate.SeverityInfo:    color.New(color.FgCyan),
		},
		faint: color.New(color.Faint),
		bold:  color.New(color.Bold),
	}
	// Decide here rather than through fatih/color's global, which looks at
	// os.Stdout whatever w is.
	for _, c := range []*color.Color{t.sev[validate.SeverityError], t.sev[validate.SeverityWarning], t.sev[validate.SeverityInfo], t.faint, t.bold} {
		if opts.Color {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return t
}

func (t *text) Write(f validate.Finding) error {
	if f.Suppressed != nil {
		return nil
	}
	var b strings.Builder
	sev := t.sev[f.Severity]
	if sev == nil {
		sev = t.bold
	}
	fmt.Fprintf(&b, "%s: %s %s: %s\n", t.bold.Sprint(clean(f.Location())), sev.Sprint(f.Severity), f.RuleID, clean(f.Message))

	var where []string
	// Without a file the location already names the object.
	if obj := f.Object.WithPath(); obj != "" && f.File != "" {
		where = append(where, t.faint.Sprint("object: ")+clean(obj))
	}
	if f.Field != "" {
		where = append(where, t.faint.Sprint("field: ")+clean(f.Field))
	}
	if len(where) > 0 {
		fmt.Fprintf(&b, "  %s\n", strings.Join(where, "  "))
	}
	if f.Remediation != "" {
		fmt.Fprintf(&b, "  %s%s\n", t.faint.Sprint("fix: "), clean(f.Remediation))
	}
	b.WriteString("\n")
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *text) Flush(s *validate.Summary) error {
	if t.opts.Quiet || s == nil {
		return nil
	}
	_, err := fmt.Fprintln(t.w, t.summaryLine(s))
	return err
}

// summaryLine reads "3 files, 5 objects: 2 errors, 1 warning, 0 info
// (1 suppressed)".
func (t *text) summaryLine(s *validate.Summary) string {
	counts := fmt.Sprintf("%s, %s, %d info",
		plural(s.Findings[validate.SeverityError.String()], "error"),
		plural(s.Findings[validate.SeverityWarning.String()], "warning"),
		s.Findings[validate.SeverityInfo.String()])
	switch {
	case s.Findings[validate.SeverityError.String()] > 0:
		counts = t.sev[validate.SeverityError].Sprint(counts)
	case s.Findings[validate.SeverityWarning.String()] > 0:
		counts = t.sev[validate.SeverityWarning].Sprint(counts)
	}
	line := fmt.Sprintf("%s, %s: %s", plural(s.Files, "file"), plural(s.Objects, "object"), counts)
	if s.Files == 0 && s.Objects > 0 {
		line = fmt.Sprintf("%s: %s", plural(s.Objects, "object"), counts) // from a cluster, not files
	}
	if s.Suppressed > 0 {
		line += fmt.Sprintf(" (%d suppressed)", s.Suppressed)
	}
	if n := len(s.InputErrors); n > 0 {
		line += fmt.Sprintf("; %s could not be read", plural(n, "input"))
	}
	return line
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// clean keeps each finding on its lines: it folds line breaks and tabs
// into spaces and escapes other control characters, so a message or file
// name taken from the input can neither fake further findings nor send
// escape sequences to the terminal.
func clean(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
