package prober

import (
	"net"
	"strings"
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/qga/qgatest"
)

func execProbe(timeout int32, command ...string) *v1.Probe {
	return &v1.Probe{TimeoutSeconds: timeout, Handler: v1.Handler{Exec: &k8sv1.ExecAction{Command: command}}}
}

func pingProbe() *v1.Probe {
	return &v1.Probe{Handler: v1.Handler{GuestAgentPing: &v1.GuestAgentPing{}}}
}

func agentTarget(t *testing.T, opts qgatest.Options) Target {
	a := qgatest.Start(t, opts)
	ag := &Agent{Network: "unix", Addr: a.Path}
	t.Cleanup(func() { ag.Close() })
	return Target{Agent: ag}
}

func TestExecProbe(t *testing.T) {
	tg := agentTarget(t, qgatest.Options{Stale: true})
	for _, tt := range []struct {
		name    string
		command []string
		want    Outcome
		detail  string
	}{
		{"exit 0", []string{"/bin/sh", "-c", "echo healthy"}, Success, "exit status 0: healthy"},
		{"exit 1", []string{"/bin/sh", "-c", "echo sick >&2; exit 1"}, Failure, "exit status 1: sick"},
		{"signal", []string{"/bin/sh", "-c", "kill -TERM $$"}, Failure, "killed by signal 15"},
		{"past timeoutSeconds", []string{"/bin/sleep", "10"}, Failure, "no answer within 1s"},
		{"then the agent answers again", []string{"/bin/true"}, Success, "exit status 0"},
		{"no such program", []string{"/no/such/program"}, Failure, "Failed to execute"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := check(t, execProbe(1, tt.command...), tg)
			if got.Outcome != tt.want || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("got %s (%s), want %s with %q", got.Outcome, got.Detail, tt.want, tt.detail)
			}
		})
	}
}

func TestExecDisabledInGuest(t *testing.T) {
	got := check(t, execProbe(1, "/bin/true"), agentTarget(t, qgatest.Options{DisableExec: true}))
	if got.Outcome != Failure || !strings.Contains(got.Detail, "has been disabled") {
		t.Errorf("got %s (%s), want the agent's refusal", got.Outcome, got.Detail)
	}
}

func TestGuestAgentPing(t *testing.T) {
	if got := check(t, pingProbe(), agentTarget(t, qgatest.Options{})); got.Outcome != Success {
		t.Errorf("got %s (%s), want success", got.Outcome, got.Detail)
	}
	if got := check(t, pingProbe(), agentTarget(t, qgatest.Options{Silent: true})); got.Outcome != Failure || !strings.Contains(got.Detail, "no answer within 1s") {
		t.Errorf("silent agent: got %s (%s), want a timeout failure", got.Outcome, got.Detail)
	}
	missing := Target{Agent: &Agent{Network: "unix", Addr: t.TempDir() + "/none.sock"}}
	if got := check(t, pingProbe(), missing); got.Outcome != Failure {
		t.Errorf("no socket: got %s (%s), want failure", got.Outcome, got.Detail)
	}
	if _, err := NewChecker(pingProbe(), Target{}); err != ErrNoAgent {
		t.Errorf("no agent: got %v, want ErrNoAgent", err)
	}
}

func TestTCPSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	p := &v1.Probe{Handler: v1.Handler{TCPSocket: &k8sv1.TCPSocketAction{Port: intstr.FromInt(port)}}}
	if got := check(t, p, Target{Host: "127.0.0.1"}); got.Outcome != Success {
		t.Errorf("listening: got %s (%s)", got.Outcome, got.Detail)
	}
	ln.Close()
	if got := check(t, p, Target{Host: "127.0.0.1"}); got.Outcome != Failure {
		t.Errorf("closed: got %s (%s)", got.Outcome, got.Detail)
	}
}

func TestNewProbeDelay(t *testing.T) {
	p := execProbe(0, "/bin/true")
	p.InitialDelaySeconds = 5
	tg := Target{Agent: &Agent{}}
	with, err := NewProbe(Liveness, p, tg, true)
	if err != nil {
		t.Fatal(err)
	}
	without, _ := NewProbe(Liveness, p, tg, false)
	if with.InitialDelaySeconds != 15 || without.InitialDelaySeconds != 5 {
		t.Errorf("initial delay %d with KubeVirt's offset, %d without; want 15 and 5", with.InitialDelaySeconds, without.InitialDelaySeconds)
	}
	if with.TimeoutSeconds != 1 || with.PeriodSeconds != 10 || with.FailureThreshold != 3 || with.SuccessThreshold != 1 {
		t.Errorf("got %+v, want KubeVirt's defaults", with)
	}
}
