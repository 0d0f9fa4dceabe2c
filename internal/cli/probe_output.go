package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/vmhealth/vmhealth/internal/prober"
	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// fallbackKubeMinor is the Kubernetes minor version of the k8s.io/api in
// go.mod (v0.37 is Kubernetes 1.37), for a binary without build
// information; a test keeps the two in step.
const fallbackKubeMinor = "1.37"

// kubeProbeUserAgent is the User-Agent the kubelet sends with httpGet
// probes, kube-probe/<major>.<minor>, for the Kubernetes version vmhealth
// is built against.
func kubeProbeUserAgent(f *Factory) string {
	if f.BuildInfo != nil {
		if bi, ok := f.BuildInfo(); ok {
			for _, d := range bi.Deps {
				if v, ok := kubeMinor(d); ok {
					return "kube-probe/" + v
				}
			}
		}
	}
	return "kube-probe/" + fallbackKubeMinor
}

// kubeMinor turns k8s.io/api v0.N.x into 1.N.
func kubeMinor(d *debug.Module) (string, bool) {
	if d.Path != "k8s.io/api" {
		return "", false
	}
	parts := strings.Split(strings.TrimPrefix(d.Version, "v"), ".")
	if len(parts) < 2 || parts[0] != "0" || parts[1] == "" {
		return "", false
	}
	return "1." + parts[1], true
}

// probeWriter writes the timeline as text or JSON lines, remembering the
// first write error.
type probeWriter struct {
	out  io.Writer
	json *json.Encoder
	obj  *validate.Object
	opts *ProbeOptions
	err  error
}

func newProbeWriter(opts *ProbeOptions, obj *validate.Object) *probeWriter {
	w := &probeWriter{out: opts.IO.Out, obj: obj, opts: opts}
	if opts.Output == "json" {
		w.json = json.NewEncoder(opts.IO.Out)
	}
	return w
}

func (w *probeWriter) printf(format string, args ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.out, format, args...)
	}
}

func (w *probeWriter) event(e prober.Event) {
	if w.json != nil {
		if w.err == nil {
			w.err = w.json.Encode(e)
		}
		return
	}
	at := fmt.Sprintf("%s %+7.1fs", e.Time.Format("15:04:05.000"), e.Elapsed)
	switch e.Event {
	case prober.EventStart:
		p := e.Spec
		delay := fmt.Sprintf("initialDelay %ds", p.InitialDelaySeconds)
		if w.opts.KubeVirtDelay && !w.opts.Once {
			delay += fmt.Sprintf(" (with KubeVirt's %d s)", probespec.LauncherInitialDelayOffset)
		}
		if w.opts.Once {
			delay = "once, no delay"
		}
		w.printf("%s  %-9s %s: %s; %s, period %ds, timeout %ds, success %d, failure %d; starts %s\n",
			at, p.Type, p.Handler, p.Action, delay, p.PeriodSeconds, p.TimeoutSeconds, p.SuccessThreshold, p.FailureThreshold, e.State)
	case prober.EventAttempt:
		w.printf("%s  %-9s #%-3d %-7s %7s  %s\n", at, e.Probe, e.Attempt, e.Result, latency(*e.LatencySeconds), e.Detail)
	case prober.EventTransition:
		what := e.From + " → " + e.To
		if e.To == prober.StateKilled {
			what += ": the kubelet kills the compute container and the VMI ends"
		}
		w.printf("%s  %-9s %s\n", at, e.Probe, what)
	case prober.EventEnd:
		var states []string
		if e.Ready != nil {
			states = append(states, map[bool]string{true: "Ready", false: "NotReady"}[*e.Ready])
		}
		if e.Alive != nil {
			states = append(states, map[bool]string{true: "alive", false: "ended by liveness"}[*e.Alive])
		}
		verdict := "FAIL"
		if *e.OK {
			verdict = "PASS"
		}
		w.printf("%s  end (%s): %s: %s %s\n", at, e.Reason, w.obj.Ref.Kind+"/"+w.obj.Ref.Name, strings.Join(states, ", "), verdict)
	}
}

func latency(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0fms", s*1000)
	}
	return fmt.Sprintf("%.2fs", s)
}
