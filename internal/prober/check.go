// Package prober runs the readiness and liveness probes of a KubeVirt VM
// against a live target the way the kubelet and KubeVirt run them: httpGet
// and tcpSocket from outside the guest, exec and guestAgentPing inside it
// through qemu-guest-agent, on the kubelet's schedule of
// initialDelaySeconds, periodSeconds and thresholds.
//
// The settings come from probespec (KubeVirt's defaults and the offsets
// virt-launcher adds); this package only acts on them.
package prober

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/qga"
	"github.com/vmhealth/vmhealth/probespec"
)

// Outcome is the result of one attempt, as the kubelet classifies it.
type Outcome string

const (
	// Success counts towards successThreshold.
	Success Outcome = "success"
	// Warning counts as a success too; the kubelet records an event, as
	// for an httpGet redirect to another host that it does not follow.
	Warning Outcome = "warning"
	// Failure counts towards failureThreshold: an error status, a refused
	// or timed-out connection, a non-zero exit status.
	Failure Outcome = "failure"
)

// Succeeded reports whether o counts as a success.
func (o Outcome) Succeeded() bool { return o == Success || o == Warning }

// Result is what one attempt found.
type Result struct {
	Outcome Outcome
	// Detail says what was seen: "HTTP 200", "connected", "exit status 1: …".
	Detail string
}

// Checker runs one attempt of a probe. It must return by the end of ctx.
type Checker interface {
	Check(ctx context.Context) Result
}

// Target says where the probes go.
type Target struct {
	// Host is where httpGet and tcpSocket probes connect instead of the
	// pod IP; Port, when not 0, replaces the probe's port (as after
	// virtctl port-forward to another local port).
	Host string
	Port int
	// Agent is the qemu-guest-agent for exec and guestAgentPing probes;
	// nil when none was given.
	Agent *Agent
	// UserAgent is sent by httpGet probes that set none, as
	// "kube-probe/1.37".
	UserAgent string
}

// Agent reaches qemu-guest-agent, dialling again after a failure.
type Agent struct {
	// Network and Addr are passed to qga.Dial.
	Network, Addr string
	client        *qga.Client
}

// get returns a connected client.
func (a *Agent) get(ctx context.Context) (*qga.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	c, err := qga.Dial(ctx, a.Network, a.Addr)
	if err != nil {
		return nil, err
	}
	a.client = c
	return c, nil
}

// drop forgets a client whose connection failed, so the next attempt
// dials again (QEMU accepts a new client after the old one goes).
func (a *Agent) drop() {
	if a.client != nil {
		_ = a.client.Close()
		a.client = nil
	}
}

// Close closes the connection, if any.
func (a *Agent) Close() error {
	a.drop()
	return nil
}

// ErrNoAgent is returned for an exec or guestAgentPing probe without an
// Agent in the Target.
var ErrNoAgent = errors.New("exec and guestAgentPing probes run through qemu-guest-agent: give its socket")

// ErrNoHost is returned for an httpGet or tcpSocket probe without a Host
// in the Target.
var ErrNoHost = errors.New("httpGet and tcpSocket probes need an address to connect to")

// NewChecker returns the Checker for p, a probe as written in the VMI spec.
// timeout bounds each attempt: KubeVirt's defaulted timeoutSeconds.
func NewChecker(p *v1.Probe, t Target) (Checker, error) {
	hs := probespec.Handlers(p)
	if len(hs) != 1 {
		return nil, fmt.Errorf("a probe needs exactly one handler, this one has %d", len(hs))
	}
	d := probespec.Defaulted(p)
	timeout := seconds(d.TimeoutSeconds)
	switch {
	case d.HTTPGet != nil:
		addr, err := t.address(d.HTTPGet.Port.IntValue(), d.HTTPGet.Port.String())
		if err != nil {
			return nil, err
		}
		return newHTTPCheck(d.HTTPGet, addr, timeout, t.UserAgent), nil
	case d.TCPSocket != nil:
		addr, err := t.address(d.TCPSocket.Port.IntValue(), d.TCPSocket.Port.String())
		if err != nil {
			return nil, err
		}
		return &tcpCheck{addr: addr, timeout: timeout}, nil
	case d.Exec != nil:
		if t.Agent == nil {
			return nil, ErrNoAgent
		}
		if len(d.Exec.Command) == 0 {
			return nil, errors.New("the exec probe has no command")
		}
		return &execCheck{agent: t.Agent, command: d.Exec.Command, timeout: timeout}, nil
	case d.GuestAgentPing != nil:
		if t.Agent == nil {
			return nil, ErrNoAgent
		}
		return &pingCheck{agent: t.Agent, timeout: timeout}, nil
	}
	return nil, errors.New("the probe has no handler")
}

// address joins the target host with the target's port, or the probe's.
func (t Target) address(port int, written string) (string, error) {
	if t.Host == "" {
		return "", ErrNoHost
	}
	if t.Port != 0 {
		port = t.Port
	}
	if port < 1 || port > 65535 {
		return "", fmt.Errorf("the probe's port %q is not a number from 1 to 65535 (a named port needs the address's port)", written)
	}
	return net.JoinHostPort(t.Host, strconv.Itoa(port)), nil
}
