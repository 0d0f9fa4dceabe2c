package gen

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// allowedBelowError are the findings below error that a generated VM may
// carry, each with the reason gen writes it anyway.
var allowedBelowError = map[string]string{
	// gen writes the timing asked for; a liveness probe that can end a VM
	// before a slow guest has booted is the user's call, and gen says so.
	"liveness-kills-before-boot": "short liveness delays were asked for",
	// Without --cloud-init, gen cannot know whether the image runs the
	// agent or the watchdog daemon; lint's advice is then right.
	"guest-agent-required": "no cloud-init asked for",
	"watchdog-guest-setup": "no cloud-init asked for",
	// gen writes the delay asked for; -10 to -1 works on KubeVirt.
	"probe-initial-delay-shortened": "a negative delay was asked for",
	// gen's RHEL-family guests do not yet allow guest-exec in
	// /etc/sysconfig/qemu-ga (issue 11, the guest branch): lint is right.
	"guest-exec-blocked": "exec probe on a RHEL-family image",
}

// TestGeneratedStanzasLintClean builds every combination of a matrix of
// requests and lints the VirtualMachine and VirtualMachineInstance gen writes
// for each: no error finding, and below error only the findings allowed
// above, and those only when their reason holds.
func TestGeneratedStanzasLintClean(t *testing.T) {
	readiness := []*ProbeRequest{
		nil,
		{Spec: "http:1500/healthz", Headers: []string{"Custom-Header: Awesome"},
			InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10), FailureThreshold: i32(3), SuccessThreshold: i32(3)},
		{Spec: "https:8443/ready", Headers: []string{"X-Debug: yes"}, PeriodSeconds: i32(5), TimeoutSeconds: i32(2)},
		{Spec: "tcp:1500", InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10)},
		{Spec: "tcp:ssh"},
		{Spec: "http:http/"},
		{Spec: "exec:cat /tmp/healthy", SuccessThreshold: i32(2)},
		{Spec: "guest-agent-ping", InitialDelaySeconds: i32(-10)},
	}
	liveness := []*ProbeRequest{
		nil,
		{Spec: "http:1500/healthz", InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10)},
		{Spec: "tcp:22", InitialDelaySeconds: i32(60), FailureThreshold: i32(5)},
		{Spec: "tcp:1500"},
		{Spec: "exec:sh -c 'test -f /run/ok'", InitialDelaySeconds: i32(90), TimeoutSeconds: i32(5)},
		{Spec: "guest-agent-ping", InitialDelaySeconds: i32(120), SuccessThreshold: i32(1)},
	}
	watchdogs := []*WatchdogRequest{
		nil,
		{Action: "poweroff"},
		{Action: "reset", Name: "wd0"},
		{Action: "shutdown", Model: "i6300esb"},
	}
	type variant struct {
		arch      string
		cloudInit bool
		guest     GuestOS
	}
	variants := []variant{
		{},
		{cloudInit: true},
		{cloudInit: true, guest: GuestUbuntu},
		{arch: "s390x", cloudInit: true, guest: GuestRHEL},
		{arch: "arm64"},
	}
	linter := validate.MustNew(validate.Options{})
	built := 0
	for _, r := range readiness {
		for _, l := range liveness {
			for _, w := range watchdogs {
				for _, v := range variants {
					req := Request{Readiness: r, Liveness: l, Watchdog: w, Arch: v.arch, CloudInit: v.cloudInit, GuestOS: v.guest}
					name := describe(req)
					s, err := Build(req)
					switch {
					case errors.Is(err, ErrNothingRequested):
						continue
					case w != nil && (v.arch == "arm64" || (v.arch == "s390x" && w.Model == "i6300esb")):
						// No watchdog exists on arm64, and s390x has only
						// diag288; gen must refuse.
						var inv *InvalidError
						if !errors.As(err, &inv) {
							t.Errorf("%s: err = %v, want an InvalidError", name, err)
						}
						continue
					case err != nil:
						t.Errorf("%s: %v", name, err)
						continue
					}
					built++
					for _, target := range Targets {
						out, err := s.RenderVirtualMachine(FormatYAML, VMOptions{Name: "lint-clean", Target: target})
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						findings, sum := linter.LintBytes("gen.yaml", out)
						if sum.Objects != 1 {
							t.Fatalf("%s %s: linted %d objects, want 1:\n%s", name, target, sum.Objects, out)
						}
						for _, f := range findings {
							if f.Severity >= validate.SeverityError {
								t.Errorf("%s %s: error finding %s at %s: %s\n%s", name, target, f.RuleID, f.Field, f.Message, out)
								continue
							}
							if !findingExplained(f, req) {
								t.Errorf("%s %s: unexplained %s finding %s at %s: %s", name, target, f.Severity, f.RuleID, f.Field, f.Message)
							}
						}
					}
				}
			}
		}
	}
	if built < 300 {
		t.Errorf("only %d requests built; the matrix lost its coverage", built)
	}
}

// findingExplained reports whether a finding below error is one gen is
// allowed to leave, with its reason holding for the request.
func findingExplained(f validate.Finding, req Request) bool {
	if _, ok := allowedBelowError[f.RuleID]; !ok {
		return false
	}
	switch f.RuleID {
	case "guest-agent-required", "watchdog-guest-setup":
		return !req.CloudInit
	case "probe-initial-delay-shortened":
		neg := func(p *ProbeRequest) bool {
			return p != nil && p.InitialDelaySeconds != nil && *p.InitialDelaySeconds < 0
		}
		return neg(req.Readiness) || neg(req.Liveness)
	case "guest-exec-blocked":
		return strings.HasPrefix(f.Message, "the guest looks RHEL-family")
	case "liveness-kills-before-boot":
		return req.Liveness != nil && (req.Liveness.InitialDelaySeconds == nil || *req.Liveness.InitialDelaySeconds < 60)
	}
	return false
}

func describe(req Request) string {
	var parts []string
	probe := func(kind string, p *ProbeRequest) {
		if p == nil {
			return
		}
		s := kind + "=" + p.Spec
		for _, f := range []struct {
			name string
			v    *int32
		}{{"delay", p.InitialDelaySeconds}, {"period", p.PeriodSeconds}, {"timeout", p.TimeoutSeconds},
			{"failure", p.FailureThreshold}, {"success", p.SuccessThreshold}} {
			if f.v != nil {
				s += fmt.Sprintf(",%s=%d", f.name, *f.v)
			}
		}
		parts = append(parts, s)
	}
	probe("readiness", req.Readiness)
	probe("liveness", req.Liveness)
	if req.Watchdog != nil {
		parts = append(parts, "watchdog="+req.Watchdog.Action)
	}
	if req.Arch != "" {
		parts = append(parts, "arch="+req.Arch)
	}
	if req.CloudInit {
		parts = append(parts, "cloud-init="+string(req.GuestOS))
	}
	return strings.Join(slices.Clip(parts), " ")
}
