package probespec

import (
	k8sv1 "k8s.io/api/core/v1"
	v1 "kubevirt.io/api/core/v1"
)

// Defaults KubeVirt applies to a probe (SetDefaults_Probe) when it creates
// a VMI. Values below 1 are replaced too, not only missing ones.
const (
	// DefaultTimeoutSeconds replaces a timeoutSeconds below 1.
	DefaultTimeoutSeconds = 1
	// DefaultPeriodSeconds replaces a periodSeconds below 1.
	DefaultPeriodSeconds = 10
	// DefaultSuccessThreshold replaces a successThreshold below 1.
	DefaultSuccessThreshold = 1
	// DefaultFailureThreshold replaces a failureThreshold below 1.
	DefaultFailureThreshold = 3
)

// Offsets KubeVirt adds when it copies a probe onto the virt-launcher
// pod's compute container.
const (
	// LauncherInitialDelayOffset is added to initialDelaySeconds of every
	// probe, for the time libvirt needs to start the domain.
	LauncherInitialDelayOffset = 10
	// GuestExecTimeoutOffset is added to timeoutSeconds of exec and
	// guestAgentPing probes, which run through virt-probe and
	// qemu-guest-agent.
	GuestExecTimeoutOffset = 1
)

// Handler names, as the fields are spelled in a probe.
const (
	// HandlerHTTPGet is a GET request the kubelet sends to the VM.
	HandlerHTTPGet = "httpGet"
	// HandlerTCPSocket is a TCP connection the kubelet opens to the VM.
	HandlerTCPSocket = "tcpSocket"
	// HandlerExec is a command run in the guest by qemu-guest-agent.
	HandlerExec = "exec"
	// HandlerGuestAgentPing is a ping of qemu-guest-agent.
	HandlerGuestAgentPing = "guestAgentPing"
)

// Defaulted returns a deep copy of p with KubeVirt's probe defaults
// applied: timeoutSeconds, periodSeconds, successThreshold and
// failureThreshold below 1 become 1, 10, 1 and 3. initialDelaySeconds has
// no default. It returns nil for a nil probe.
func Defaulted(p *v1.Probe) *v1.Probe {
	if p == nil {
		return nil
	}
	d := p.DeepCopy()
	if d.TimeoutSeconds < 1 {
		d.TimeoutSeconds = DefaultTimeoutSeconds
	}
	if d.PeriodSeconds < 1 {
		d.PeriodSeconds = DefaultPeriodSeconds
	}
	if d.SuccessThreshold < 1 {
		d.SuccessThreshold = DefaultSuccessThreshold
	}
	if d.FailureThreshold < 1 {
		d.FailureThreshold = DefaultFailureThreshold
	}
	return d
}

// Handlers returns the names of all handlers set on p, in the order
// httpGet, tcpSocket, exec, guestAgentPing. A valid probe has exactly one.
func Handlers(p *v1.Probe) []string {
	if p == nil {
		return nil
	}
	var names []string
	if p.HTTPGet != nil {
		names = append(names, HandlerHTTPGet)
	}
	if p.TCPSocket != nil {
		names = append(names, HandlerTCPSocket)
	}
	if p.Exec != nil {
		names = append(names, HandlerExec)
	}
	if p.GuestAgentPing != nil {
		names = append(names, HandlerGuestAgentPing)
	}
	return names
}

// HandlerName returns the name of p's handler (HandlerHTTPGet, …), or ""
// when p is nil or has none. When several are set, which KubeVirt rejects,
// it returns the first in the order of Handlers.
func HandlerName(p *v1.Probe) string {
	if names := Handlers(p); len(names) > 0 {
		return names[0]
	}
	return ""
}

// Effective holds the probe settings the kubelet really uses on the
// virt-launcher pod, after KubeVirt's defaults and offsets and Kubernetes'
// httpGet defaults.
//
// Its timing methods follow from how the kubelet probes: on a ticker of
// periodSeconds once the container has run for initialDelaySeconds,
// counting a probe that does not answer within timeoutSeconds as failed.
// Times count from the start of the virt-launcher compute container,
// shortly before the guest starts booting. They assume timeoutSeconds <
// periodSeconds (otherwise ticks are dropped and probes run less often)
// and ignore the random delay the kubelet adds to its first probe right
// after a kubelet restart.
type Effective struct {
	InitialDelaySeconds int32
	TimeoutSeconds      int32
	PeriodSeconds       int32
	SuccessThreshold    int32
	FailureThreshold    int32
	// Handler is the handler name (see HandlerName); "" for no probe.
	Handler string
	// HTTPPath and HTTPScheme are set for httpGet probes only.
	HTTPPath   string
	HTTPScheme string
}

// EffectiveProbe returns what the kubelet runs for p: KubeVirt's defaults
// applied, LauncherInitialDelayOffset added to initialDelaySeconds,
// GuestExecTimeoutOffset added to timeoutSeconds of exec and guestAgentPing
// probes, and an httpGet path "" read as "/" and scheme "" as "HTTP".
// A nil probe gives the zero Effective.
func EffectiveProbe(p *v1.Probe) Effective {
	if p == nil {
		return Effective{}
	}
	d := Defaulted(p)
	e := Effective{
		InitialDelaySeconds: d.InitialDelaySeconds + LauncherInitialDelayOffset,
		TimeoutSeconds:      d.TimeoutSeconds,
		PeriodSeconds:       d.PeriodSeconds,
		SuccessThreshold:    d.SuccessThreshold,
		FailureThreshold:    d.FailureThreshold,
		Handler:             HandlerName(d),
	}
	if d.Exec != nil || d.GuestAgentPing != nil {
		e.TimeoutSeconds += GuestExecTimeoutOffset
	}
	if d.HTTPGet != nil {
		e.HTTPPath = d.HTTPGet.Path
		if e.HTTPPath == "" {
			e.HTTPPath = "/"
		}
		e.HTTPScheme = string(d.HTTPGet.Scheme)
		if e.HTTPScheme == "" {
			e.HTTPScheme = string(k8sv1.URISchemeHTTP)
		}
	}
	return e
}

// WatchdogDefaulted returns a deep copy of w as KubeVirt completes it for
// a VMI on arch: with no model, amd64 (or an empty arch) gets i6300esb and
// s390x gets diag288; other architectures have no default model and keep
// none. An empty action on the model becomes reset. It returns nil for a
// nil watchdog.
func WatchdogDefaulted(w *v1.Watchdog, arch string) *v1.Watchdog {
	if w == nil {
		return nil
	}
	d := w.DeepCopy()
	if d.I6300ESB == nil && d.Diag288 == nil {
		switch arch {
		case "", ArchAMD64:
			d.I6300ESB = &v1.I6300ESBWatchdog{}
		case ArchS390X:
			d.Diag288 = &v1.Diag288Watchdog{}
		}
	}
	if d.I6300ESB != nil && d.I6300ESB.Action == "" {
		d.I6300ESB.Action = v1.WatchdogActionReset
	}
	if d.Diag288 != nil && d.Diag288.Action == "" {
		d.Diag288.Action = v1.WatchdogActionReset
	}
	return d
}
