package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// WriteJSON writes the reports as one JSON document: {"files": [...]}.
func WriteJSON(w io.Writer, reports []*Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Files []*Report `json:"files"`
	}{reports})
}

// WriteText writes the report for people: per object, each probe's values
// in a table, a timeline, and the consequences in words; the watchdog; and
// lint's findings.
func WriteText(w io.Writer, r *Report) error {
	tw := &textWriter{w: w}
	if len(r.Objects) == 0 {
		tw.line("%s: no VirtualMachine, VirtualMachineInstance, ReplicaSet or pool found", r.File)
	}
	for i, o := range r.Objects {
		if i > 0 {
			tw.line("")
		}
		tw.object(r.File, o)
	}
	if len(r.Findings) > 0 && len(r.Objects) > 0 {
		tw.line("")
		tw.line("%s", r.File)
	}
	tw.findings(r.Findings)
	return tw.err
}

type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) line(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = io.WriteString(t.w, strings.TrimRight(fmt.Sprintf(format, args...), " ")+"\n")
}

func (t *textWriter) object(file string, o *Object) {
	head := o.Ref.Kind
	if name := objectName(o.Ref); name != "" {
		head += " " + name
	}
	where := fmt.Sprintf("%s:%d", file, o.Line)
	if o.RunStrategy != "" {
		where += ", runStrategy " + o.RunStrategy
	}
	t.line("%s  (%s)", head, where)
	if o.Error != "" {
		t.line("  cannot explain it: %s", o.Error)
		t.findings(o.Findings)
		return
	}
	if len(o.Probes) == 0 && o.Watchdog == nil {
		t.line("  no readiness probe, no liveness probe and no watchdog: KubeVirt watches nothing but the QEMU process.")
		t.line("  The VMI is Ready as soon as it runs, and a hung guest keeps running, unnoticed.")
	}
	for _, p := range o.Probes {
		t.line("")
		t.probe(p)
	}
	if o.Watchdog != nil {
		t.line("")
		t.watchdog(o.Watchdog)
	}
	t.findings(o.Findings)
}

func objectName(ref validate.ObjectRef) string {
	name := ref.Name
	if ref.Namespace != "" {
		name = ref.Namespace + "/" + name
	}
	if ref.Path != "" {
		name = strings.TrimSpace(name + " (" + ref.Path + ")")
	}
	return name
}

func (t *textWriter) probe(p *Probe) {
	t.line("  %s  %s", p.Field, p.Handler)
	t.wrapped("    ", "      ", p.Action)
	if p.Timing.FirstProbeSeconds == 0 && len(p.Consequences) == 1 {
		t.line("    %s", p.Consequences[0])
		return
	}
	t.line("")
	t.line("    %-21s %8s %9s %8s", "", "written", "KubeVirt", "kubelet")
	rows := []struct {
		name                string
		written, def, kubel *int32
		note                string
	}{
		{"initialDelaySeconds", p.Written.InitialDelaySeconds, p.Defaulted.InitialDelaySeconds, p.Kubelet.InitialDelaySeconds,
			fmt.Sprintf("+%d s for the domain to start", probespec.LauncherInitialDelayOffset)},
		{"periodSeconds", p.Written.PeriodSeconds, p.Defaulted.PeriodSeconds, p.Kubelet.PeriodSeconds, ""},
		{"timeoutSeconds", p.Written.TimeoutSeconds, p.Defaulted.TimeoutSeconds, p.Kubelet.TimeoutSeconds, ""},
		{"successThreshold", p.Written.SuccessThreshold, p.Defaulted.SuccessThreshold, p.Kubelet.SuccessThreshold, ""},
		{"failureThreshold", p.Written.FailureThreshold, p.Defaulted.FailureThreshold, p.Kubelet.FailureThreshold, ""},
	}
	for _, r := range rows {
		note := ""
		if *r.kubel != *r.def {
			note = r.note
			if r.name == "timeoutSeconds" {
				note = fmt.Sprintf("+%d s through qemu-guest-agent", probespec.GuestExecTimeoutOffset)
			}
		}
		if r.written != nil && *r.written != *r.def {
			note = strings.TrimPrefix(note+"; below 1, so KubeVirt's default", "; ")
		}
		t.line("    %-21s %8s %9d %8d  %s", r.name, show(r.written), *r.def, *r.kubel, note)
	}
	t.line("")
	t.timeline(p)
	t.line("")
	for _, c := range p.Consequences {
		t.wrapped("    - ", "      ", c)
	}
}

func show(v *int32) string {
	if v == nil {
		return "-"
	}
	return strconv.Itoa(int(*v))
}

// timeline draws when the probes run after the start, and what a hang
// leads to.
func (t *textWriter) timeline(p *Probe) {
	k := p.Kubelet
	delay, period, timeout := int(*k.InitialDelaySeconds), int(*k.PeriodSeconds), int(*k.TimeoutSeconds)
	successes, failures := int(*k.SuccessThreshold), int(*k.FailureThreshold)
	type row struct{ at, glyph, text string }
	rows := []row{{"0 s", "┬", "virt-launcher starts; the guest boots"}}
	wait := fmt.Sprintf("  %d s for the domain + %d s initialDelaySeconds", probespec.LauncherInitialDelayOffset, delay-probespec.LauncherInitialDelayOffset)
	if p.Written.InitialDelaySeconds == nil {
		wait = fmt.Sprintf("  %d s for the domain (no initialDelaySeconds)", probespec.LauncherInitialDelayOffset)
	}
	rows = append(rows, row{"", "│", wait})
	// How many probes to draw: up to the earliest Ready, or to the earliest
	// kill of a guest that never answers.
	n := successes
	if p.Type == "liveness" {
		n = failures
	}
	for i := 1; i <= n; i++ {
		if n > 4 && i == 3 {
			rows = append(rows, row{"", "┆", fmt.Sprintf("  %d more probes, every %d s", n-3, period)})
			i = n - 1
			continue
		}
		text := ordinal(i) + " probe"
		glyph := "┼"
		if i == n && p.Type == "readiness" {
			text += " succeeds: Ready at the soonest"
			if n > 1 {
				text = ordinal(i) + " success in a row: Ready at the soonest"
			}
			glyph = "┴"
		}
		rows = append(rows, row{fmt.Sprintf("%d s", delay+(i-1)*period), glyph, text})
	}
	if p.Type == "liveness" {
		rows = append(rows, row{fmt.Sprintf("%d s", p.Timing.EarliestKillSeconds), "┴",
			fmt.Sprintf("%s probe times out: a guest that never answered is killed", ordinal(n))})
	}
	rows = append(rows, row{"", "", ""})
	rows = append(rows, row{"hang", "┬", "the guest stops answering"})
	outcome := "not Ready, out of the Services' endpoints"
	if p.Type == "liveness" {
		outcome = "the compute container is killed and the VMI ends"
	}
	rows = append(rows, row{fmt.Sprintf("+%d–%d s", p.Timing.HangDetectedMinSeconds, p.Timing.HangDetectedMaxSeconds), "┴",
		fmt.Sprintf("%s failed probe (%d s timeout each): %s", ordinal(failures), timeout, outcome)})
	width := 0
	for _, r := range rows {
		width = max(width, len([]rune(r.at)))
	}
	for _, r := range rows {
		if r.glyph == "" {
			t.line("")
			continue
		}
		t.line("    %s%s %s %s", strings.Repeat(" ", width-len([]rune(r.at))), r.at, r.glyph, r.text)
	}
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

func (t *textWriter) watchdog(w *Watchdog) {
	model := w.Model
	if !w.ModelWritten && model != "" {
		model += " (KubeVirt's default for the architecture)"
	}
	action := w.Action
	if !w.ActionWritten {
		action += " (KubeVirt's default)"
	}
	t.line("  %s  %q", w.Field, w.Name)
	t.line("    model   %s", model)
	t.line("    action  %s", action)
	t.line("")
	t.wrapped("    - ", "      ", "When the guest stops feeding it: "+w.Effect)
	t.wrapped("    - ", "      ", w.Guest)
	if w.GuestSetUp {
		t.wrapped("    - ", "      ", "This VM's cloud-init user data mentions the watchdog, so the guest looks set up for it.")
	} else {
		t.wrapped("    - ", "      ", "Nothing in this manifest sets the guest up for it: unless the image does, the watchdog never fires.")
	}
}

func (t *textWriter) findings(fs []validate.Finding) {
	if len(fs) == 0 {
		return
	}
	t.line("")
	t.line("  lint")
	for _, f := range fs {
		sev := f.Severity.String()
		if f.Suppressed != nil {
			sev = "suppressed"
		}
		t.wrapped(fmt.Sprintf("    %-8s %s  ", sev, f.RuleID), "      ", fmt.Sprintf("line %d: %s", f.Line, f.Message))
	}
}

// wrapped writes text after first, wrapped at 100 columns, continuing
// with rest.
func (t *textWriter) wrapped(first, rest, text string) {
	const width = 100
	prefix := first
	var cur strings.Builder
	for _, word := range unitWords(strings.Fields(text)) {
		if cur.Len() > 0 && len([]rune(prefix))+cur.Len()+1+len([]rune(word)) > width {
			t.line("%s%s", prefix, cur.String())
			prefix, cur = rest, strings.Builder{}
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	t.line("%s%s", prefix, cur.String())
}

// unitWords glues a unit to the number before it ("20 s", "60 s,"), so
// that wrapping never leaves a unit alone at the start of a line.
func unitWords(words []string) []string {
	var out []string
	for _, w := range words {
		unit := strings.TrimRight(w, ".,;:)")
		if len(out) > 0 && unit == "s" {
			prev := out[len(out)-1]
			if prev != "" && prev[len(prev)-1] >= '0' && prev[len(prev)-1] <= '9' {
				out[len(out)-1] = prev + " " + w
				continue
			}
		}
		out = append(out, w)
	}
	return out
}
