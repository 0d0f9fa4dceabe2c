package gen

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	v1 "kubevirt.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/probespec"
)

func i32(n int32) *int32 { return &n }

// seedExamples are the four examples of the OpenShift Virtualization
// documentation ("Monitoring virtual machine health") that vmhealth starts
// from, as requests, with the stanzas the documentation shows.
var seedExamples = []struct {
	name string
	req  Request
	want v1.VirtualMachineInstanceSpec
}{
	{
		name: "http-readiness",
		req: Request{Readiness: &ProbeRequest{Spec: "http:1500/healthz", Headers: []string{"Custom-Header: Awesome"},
			InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10),
			FailureThreshold: i32(3), SuccessThreshold: i32(3)}},
		want: v1.VirtualMachineInstanceSpec{ReadinessProbe: probespec.HTTPGet(1500, "/healthz").
			Header("Custom-Header", "Awesome").InitialDelay(120).Period(20).Timeout(10).
			FailureThreshold(3).SuccessThreshold(3).Build()},
	},
	{
		name: "tcp-readiness",
		req: Request{Readiness: &ProbeRequest{Spec: "tcp:1500",
			InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10)}},
		want: v1.VirtualMachineInstanceSpec{ReadinessProbe: probespec.TCPSocket(1500).
			InitialDelay(120).Period(20).Timeout(10).Build()},
	},
	{
		name: "http-liveness",
		req: Request{Liveness: &ProbeRequest{Spec: "http:1500/healthz",
			InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10)}},
		want: v1.VirtualMachineInstanceSpec{LivenessProbe: probespec.HTTPGet(1500, "/healthz").
			InitialDelay(120).Period(20).Timeout(10).Build()},
	},
	{
		name: "watchdog",
		req:  Request{Watchdog: &WatchdogRequest{Action: "poweroff"}},
		want: v1.VirtualMachineInstanceSpec{Domain: v1.DomainSpec{Devices: v1.Devices{
			Watchdog: probespec.Watchdog("watchdog").Model(probespec.ModelI6300ESB).Action(v1.WatchdogActionPoweroff).Build()}}},
	},
}

// TestSeedExamples checks that each example of the documentation comes out
// of one request, in YAML and JSON, for a VM and a VMI, and that the
// output decodes to exactly the documented stanza.
func TestSeedExamples(t *testing.T) {
	for _, ex := range seedExamples {
		t.Run(ex.name, func(t *testing.T) {
			s, err := Build(ex.req)
			if err != nil {
				t.Fatal(err)
			}
			for _, target := range Targets {
				for _, format := range []Format{FormatYAML, FormatJSON} {
					out, err := s.Render(format, target)
					if err != nil {
						t.Fatal(err)
					}
					got := decodeSpec(t, out, target)
					if !reflect.DeepEqual(got, ex.want) {
						t.Errorf("%s %s decodes to\n%+v\nwant\n%+v\noutput:\n%s", target, format, got, ex.want, out)
					}
				}
			}
		})
	}
}

// decodeSpec reads rendered output back into the VMI spec it holds.
func decodeSpec(t *testing.T, out []byte, target Target) v1.VirtualMachineInstanceSpec {
	t.Helper()
	if target == TargetVMI {
		var vmi v1.VirtualMachineInstance
		if err := sigsyaml.UnmarshalStrict(out, &vmi); err != nil {
			t.Fatalf("decoding %s: %v", out, err)
		}
		return vmi.Spec
	}
	var vm v1.VirtualMachine
	if err := sigsyaml.UnmarshalStrict(out, &vm); err != nil || vm.Spec.Template == nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	return vm.Spec.Template.Spec
}

func TestBuildRefuses(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		// wantField is the field of an *InvalidError; empty when the error
		// is a plain one, which must then contain wantMsg.
		wantField string
		wantMsg   string
	}{
		{name: "nothing", req: Request{}, wantMsg: "nothing to generate"},
		{name: "period equal to timeout",
			req:       Request{Readiness: &ProbeRequest{Spec: "tcp:1500", PeriodSeconds: i32(10), TimeoutSeconds: i32(10)}},
			wantField: "readinessProbe.periodSeconds"},
		{name: "exec runs with timeout + 1",
			req:       Request{Readiness: &ProbeRequest{Spec: "exec:cat /tmp/healthy", PeriodSeconds: i32(6), TimeoutSeconds: i32(5)}},
			wantField: "readinessProbe.periodSeconds"},
		{name: "guest-agent ping runs with timeout + 1",
			req:       Request{Liveness: &ProbeRequest{Spec: "guest-agent-ping", InitialDelaySeconds: i32(120), PeriodSeconds: i32(3), TimeoutSeconds: i32(2)}},
			wantField: "livenessProbe.periodSeconds"},
		{name: "timeout above the default period",
			req:       Request{Liveness: &ProbeRequest{Spec: "tcp:1500", TimeoutSeconds: i32(15)}},
			wantField: "livenessProbe.timeoutSeconds"},
		{name: "liveness success threshold",
			req:       Request{Liveness: &ProbeRequest{Spec: "http:1500/healthz", SuccessThreshold: i32(3)}},
			wantField: "livenessProbe.successThreshold"},
		{name: "initial delay below -10",
			req:       Request{Readiness: &ProbeRequest{Spec: "tcp:1500", InitialDelaySeconds: i32(-11)}},
			wantField: "readinessProbe.initialDelaySeconds"},
		{name: "zero period",
			req:       Request{Readiness: &ProbeRequest{Spec: "tcp:1500", PeriodSeconds: i32(0)}},
			wantField: "readinessProbe.periodSeconds"},
		{name: "negative failure threshold",
			req:       Request{Liveness: &ProbeRequest{Spec: "tcp:1500", FailureThreshold: i32(-1)}},
			wantField: "livenessProbe.failureThreshold"},
		{name: "watchdog action typo",
			req:     Request{Watchdog: &WatchdogRequest{Action: "poweroof"}},
			wantMsg: `unsupported watchdog action "poweroof"`},
		{name: "watchdog action libvirt only",
			req:     Request{Watchdog: &WatchdogRequest{Action: "pause"}},
			wantMsg: `unsupported watchdog action "pause"`},
		{name: "watchdog model unknown",
			req:     Request{Watchdog: &WatchdogRequest{Action: "reset", Model: "ib700"}},
			wantMsg: `unknown model "ib700"`},
		{name: "watchdog on arm64",
			req:       Request{Arch: "arm64", Watchdog: &WatchdogRequest{Action: "reset"}},
			wantField: "domain.devices.watchdog"},
		{name: "diag288 on amd64",
			req:       Request{Watchdog: &WatchdogRequest{Action: "reset", Model: "diag288"}},
			wantField: "domain.devices.watchdog"},
		{name: "header on tcp",
			req:     Request{Readiness: &ProbeRequest{Spec: "tcp:1500", Headers: []string{"A: b"}}},
			wantMsg: "headers need an http or https probe"},
		{name: "bad header",
			req:     Request{Readiness: &ProbeRequest{Spec: "http:1500", Headers: []string{"A b"}}},
			wantMsg: "Name: value"},
		{name: "bad spec",
			req:     Request{Liveness: &ProbeRequest{Spec: "tcp:99999"}},
			wantMsg: `liveness probe "tcp:99999"`},
		{name: "unknown port name",
			req:     Request{Readiness: &ProbeRequest{Spec: "tcp:postgres"}},
			wantMsg: `port name "postgres"`},
		{name: "unknown arch",
			req:     Request{Arch: "riscv64", Watchdog: &WatchdogRequest{Action: "reset"}},
			wantMsg: "unknown architecture"},
		{name: "http and https on one port",
			req: Request{CloudInit: true, Readiness: &ProbeRequest{Spec: "http:8443/ready"},
				Liveness: &ProbeRequest{Spec: "https:8443/live", InitialDelaySeconds: i32(120)}},
			wantMsg: "both HTTP and HTTPS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Build(tt.req)
			if err == nil {
				t.Fatalf("Build succeeded: %+v", s)
			}
			var inv *InvalidError
			if tt.wantField == "" {
				if errors.As(err, &inv) {
					t.Fatalf("got an InvalidError %v, want a plain error", err)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("error %q does not contain %q", err, tt.wantMsg)
				}
				return
			}
			if !errors.As(err, &inv) {
				t.Fatalf("error %v is not an InvalidError", err)
			}
			var fields []string
			for _, e := range inv.Errs {
				fields = append(fields, e.Field)
			}
			for _, f := range inv.Findings {
				fields = append(fields, f.Field)
			}
			found := false
			for _, f := range fields {
				found = found || f == tt.wantField
			}
			if !found {
				t.Errorf("errors on %q, want one on %q: %v", fields, tt.wantField, err)
			}
		})
	}
}

func TestBuildS390X(t *testing.T) {
	s, err := Build(Request{Arch: "s390x", Watchdog: &WatchdogRequest{Action: "reset"}})
	if err != nil {
		t.Fatal(err)
	}
	if probespec.WatchdogModel(s.Watchdog) != probespec.ModelDiag288 {
		t.Errorf("model %q on s390x, want diag288", probespec.WatchdogModel(s.Watchdog))
	}
}

func TestBuildHTTPS(t *testing.T) {
	s, err := Build(Request{Readiness: &ProbeRequest{Spec: "https:8443/ready"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Readiness.HTTPGet.Scheme != k8sv1.URISchemeHTTPS {
		t.Errorf("scheme %q", s.Readiness.HTTPGet.Scheme)
	}
}
