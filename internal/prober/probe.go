package prober

import (
	"fmt"
	"strings"

	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

// Probe types.
const (
	Readiness = "readiness"
	Liveness  = "liveness"
)

// Probe is one probe ready to run: its check and its schedule.
type Probe struct {
	// Type is Readiness or Liveness.
	Type string `json:"type"`
	// Handler is httpGet, tcpSocket, exec or guestAgentPing.
	Handler string `json:"handler"`
	// Action says what one attempt does, against the real target.
	Action  string  `json:"action"`
	Checker Checker `json:"-"`
	// The schedule, as the kubelet runs it on the virt-launcher pod
	// (InitialDelaySeconds with or without KubeVirt's 10 s).
	InitialDelaySeconds int32 `json:"initialDelaySeconds"`
	PeriodSeconds       int32 `json:"periodSeconds"`
	// TimeoutSeconds bounds one attempt: KubeVirt's defaulted value, which
	// for exec and guestAgentPing is virt-probe's own timeout (the
	// kubelet waits one second more for virt-probe).
	TimeoutSeconds   int32 `json:"timeoutSeconds"`
	SuccessThreshold int32 `json:"successThreshold"`
	FailureThreshold int32 `json:"failureThreshold"`
}

// NewProbe prepares p, a probe of type typ as written in a VMI spec, to run
// against t. kubevirtDelay adds the 10 s virt-launcher adds to
// initialDelaySeconds (probespec.LauncherInitialDelayOffset).
func NewProbe(typ string, p *v1.Probe, t Target, kubevirtDelay bool) (*Probe, error) {
	c, err := NewChecker(p, t)
	if err != nil {
		return nil, fmt.Errorf("%s probe: %w", typ, err)
	}
	d := probespec.Defaulted(p)
	eff := probespec.EffectiveProbe(p)
	out := &Probe{Type: typ, Handler: eff.Handler, Action: action(c), Checker: c,
		InitialDelaySeconds: d.InitialDelaySeconds, PeriodSeconds: eff.PeriodSeconds, TimeoutSeconds: d.TimeoutSeconds,
		SuccessThreshold: eff.SuccessThreshold, FailureThreshold: eff.FailureThreshold}
	if kubevirtDelay {
		out.InitialDelaySeconds = eff.InitialDelaySeconds
	}
	return out, nil
}

func action(c Checker) string {
	switch c := c.(type) {
	case *httpCheck:
		s := "GET " + c.url
		if c.host != "" {
			s += " (Host: " + c.host + ")"
		}
		return s
	case *tcpCheck:
		return "connect to " + c.addr
	case *execCheck:
		return "guest-exec " + strings.Join(c.command, " ")
	case *pingCheck:
		return "guest-ping"
	}
	return ""
}
