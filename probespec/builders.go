package probespec

import (
	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"
)

// ProbeBuilder assembles a KubeVirt probe one setting at a time. Start it
// with HTTPGet, HTTPGetNamed, TCPSocket, TCPSocketNamed, Exec or
// GuestAgentPing, chain the setters and finish with Build.
//
// Settings that belong to another handler (Scheme or Header on a tcpSocket
// probe, Host on an exec probe) have no effect: a builder never adds a
// second handler behind the caller's back.
type ProbeBuilder struct {
	probe v1.Probe
}

// HTTPGet starts a probe that sends GET path to port on the VM.
func HTTPGet(port int32, path string) *ProbeBuilder {
	return httpGet(intstr.FromInt32(port), path)
}

// HTTPGetNamed starts a probe that sends GET path to the port named
// portName. The name must be declared in the ports of one of the VM's
// interfaces, or the kubelet cannot resolve it (see CheckNamedPortDeclared).
func HTTPGetNamed(portName, path string) *ProbeBuilder {
	return httpGet(intstr.FromString(portName), path)
}

func httpGet(port intstr.IntOrString, path string) *ProbeBuilder {
	b := &ProbeBuilder{}
	b.probe.HTTPGet = &k8sv1.HTTPGetAction{Port: port, Path: path}
	return b
}

// TCPSocket starts a probe that succeeds when a TCP connection to port on
// the VM can be opened.
func TCPSocket(port int32) *ProbeBuilder {
	b := &ProbeBuilder{}
	b.probe.TCPSocket = &k8sv1.TCPSocketAction{Port: intstr.FromInt32(port)}
	return b
}

// TCPSocketNamed starts a TCP probe on the port named portName, which must
// be declared in the ports of one of the VM's interfaces.
func TCPSocketNamed(portName string) *ProbeBuilder {
	b := &ProbeBuilder{}
	b.probe.TCPSocket = &k8sv1.TCPSocketAction{Port: intstr.FromString(portName)}
	return b
}

// Exec starts a probe that runs command in the guest through
// qemu-guest-agent; it succeeds when the command exits with status 0.
// The guest must run qemu-guest-agent, or the probe always fails.
func Exec(command ...string) *ProbeBuilder {
	b := &ProbeBuilder{}
	b.probe.Exec = &k8sv1.ExecAction{Command: append([]string(nil), command...)}
	return b
}

// GuestAgentPing starts a probe that succeeds while qemu-guest-agent in the
// guest answers.
func GuestAgentPing() *ProbeBuilder {
	b := &ProbeBuilder{}
	b.probe.GuestAgentPing = &v1.GuestAgentPing{}
	return b
}

// Scheme sets the scheme of an httpGet probe: k8sv1.URISchemeHTTP or
// k8sv1.URISchemeHTTPS. With HTTPS the kubelet does not verify the
// certificate.
func (b *ProbeBuilder) Scheme(scheme k8sv1.URIScheme) *ProbeBuilder {
	if b.probe.HTTPGet != nil {
		b.probe.HTTPGet.Scheme = scheme
	}
	return b
}

// Header adds an HTTP header to an httpGet probe. Calling it again with
// the same name adds a second header; it does not replace the first.
func (b *ProbeBuilder) Header(name, value string) *ProbeBuilder {
	if b.probe.HTTPGet != nil {
		b.probe.HTTPGet.HTTPHeaders = append(b.probe.HTTPGet.HTTPHeaders,
			k8sv1.HTTPHeader{Name: name, Value: value})
	}
	return b
}

// Host sets the host of an httpGet or tcpSocket probe. Leave it unset to
// probe the VM: with a host the kubelet probes that host instead (see
// CheckHTTPHost).
func (b *ProbeBuilder) Host(host string) *ProbeBuilder {
	switch {
	case b.probe.HTTPGet != nil:
		b.probe.HTTPGet.Host = host
	case b.probe.TCPSocket != nil:
		b.probe.TCPSocket.Host = host
	}
	return b
}

// InitialDelay sets initialDelaySeconds. KubeVirt adds
// LauncherInitialDelayOffset to it on the virt-launcher pod.
func (b *ProbeBuilder) InitialDelay(seconds int32) *ProbeBuilder {
	b.probe.InitialDelaySeconds = seconds
	return b
}

// Period sets periodSeconds, the time between two probes.
func (b *ProbeBuilder) Period(seconds int32) *ProbeBuilder {
	b.probe.PeriodSeconds = seconds
	return b
}

// Timeout sets timeoutSeconds, how long one probe may take before it
// counts as failed.
func (b *ProbeBuilder) Timeout(seconds int32) *ProbeBuilder {
	b.probe.TimeoutSeconds = seconds
	return b
}

// FailureThreshold sets how many consecutive failures make the probe fail.
func (b *ProbeBuilder) FailureThreshold(n int32) *ProbeBuilder {
	b.probe.FailureThreshold = n
	return b
}

// SuccessThreshold sets how many consecutive successes make a failed probe
// succeed again. It must be 1 for a liveness probe.
func (b *ProbeBuilder) SuccessThreshold(n int32) *ProbeBuilder {
	b.probe.SuccessThreshold = n
	return b
}

// Build returns the probe. Each call returns a new copy, so a builder can
// serve as a template for several probes.
func (b *ProbeBuilder) Build() *v1.Probe {
	return b.probe.DeepCopy()
}
