package probespec

import (
	"encoding/json"
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	v1 "kubevirt.io/api/core/v1"
)

func TestCheckLivenessNotPaused(t *testing.T) {
	paused := func(liveness *v1.Probe) *v1.VirtualMachineInstanceSpec {
		return &v1.VirtualMachineInstanceSpec{LivenessProbe: liveness, StartStrategy: ptr(v1.StartStrategyPaused)}
	}
	runSpecCheck(t, CheckLivenessNotPaused, []specCheckCase{
		{name: "nil spec", spec: nil},
		{name: "paused without liveness", spec: paused(nil)},
		{name: "paused with readiness only", spec: &v1.VirtualMachineInstanceSpec{
			ReadinessProbe: GuestAgentPing().Build(), StartStrategy: ptr(v1.StartStrategyPaused)}},
		{name: "liveness without start strategy", spec: &v1.VirtualMachineInstanceSpec{LivenessProbe: GuestAgentPing().Build()}},
		{name: "paused with liveness", spec: paused(GuestAgentPing().Build()), want: []wantErr{forbidden(sp + ".startStrategy")}},
	})
}

func TestValidateProbe(t *testing.T) {
	tests := []struct {
		name     string
		p        *v1.Probe
		liveness bool
		want     []wantErr
	}{
		{name: "nil", p: nil, liveness: true},
		{name: "good http", p: HTTPGet(1500, "/healthz").InitialDelay(120).Period(20).Timeout(10).Build(), liveness: true},
		{name: "success threshold is fine for readiness", p: TCPSocket(22).SuccessThreshold(3).Build(), liveness: false},
		{name: "success threshold for liveness", p: TCPSocket(22).SuccessThreshold(3).Build(), liveness: true,
			want: []wantErr{invalid(lp + ".successThreshold")}},
		{name: "empty probe", p: &v1.Probe{}, want: []wantErr{required(lp)}},
		{name: "advice is left out", p: HTTPGet(80, "/").Host("example.org").Period(-1).Build(), liveness: true},
		{name: "many mistakes in order", liveness: true,
			p: func() *v1.Probe {
				p := HTTPGet(70000, "/").Scheme("ftp").InitialDelay(-20).Period(5).Timeout(5).SuccessThreshold(2).Build()
				p.Exec = &k8sv1.ExecAction{}
				return p
			}(),
			want: []wantErr{
				invalid(lp),
				invalid(lp + ".httpGet.scheme"),
				invalid(lp + ".httpGet.port"),
				required(lp + ".exec.command"),
				invalid(lp + ".initialDelaySeconds"),
				invalid(lp + ".periodSeconds"),
				invalid(lp + ".successThreshold"),
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertErrors(t, ValidateProbe(tt.p, probePath, tt.liveness), tt.want)
		})
	}
}

func TestValidateWatchdog(t *testing.T) {
	tests := []struct {
		name string
		w    *v1.Watchdog
		arch string
		want []wantErr
	}{
		{name: "nil", w: nil, arch: ArchARM64},
		{name: "good", w: withAction(ModelI6300ESB, v1.WatchdogActionPoweroff), arch: ""},
		{name: "advice is left out", w: Watchdog("").Model(ModelDiag288).Action("pause").Build(), arch: ArchS390X},
		{name: "arm64", w: Watchdog("wd").Build(), arch: ArchARM64, want: []wantErr{forbidden(wd)}},
		{name: "both models and unknown action", w: func() *v1.Watchdog {
			w := withAction(ModelI6300ESB, "explode")
			w.Diag288 = &v1.Diag288Watchdog{}
			return w
		}(), arch: ArchAMD64, want: []wantErr{invalid(wd), invalid(wd), invalid(wd + ".i6300esb.action")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertErrors(t, ValidateWatchdog(tt.w, watchdogPath, tt.arch), tt.want)
		})
	}
}

func TestValidateVMISpec(t *testing.T) {
	good := podSpec(masquerade, HTTPGet(1500, "/healthz").InitialDelay(120).Period(20).Timeout(10).Build(),
		TCPSocket(22).InitialDelay(60).Build())
	good.Domain.Devices.Watchdog = withAction(ModelI6300ESB, v1.WatchdogActionPoweroff)

	bad := multusOnly(HTTPGetNamed("web", "/").Build(), TCPSocket(22).SuccessThreshold(2).Build())
	bad.StartStrategy = ptr(v1.StartStrategyPaused)
	bad.Domain.Devices.Watchdog = withAction(ModelDiag288, "explode")

	forwarded := podSpec(masquerade, HTTPGet(1500, "/").Build(), nil)
	forwarded.Domain.Devices.Interfaces[0].Ports = []v1.Port{{Port: 22}}

	s390x := &v1.VirtualMachineInstanceSpec{}
	s390x.Domain.Devices.Watchdog = Watchdog("wd").Model(ModelI6300ESB).Build()

	tests := []struct {
		name string
		spec *v1.VirtualMachineInstanceSpec
		opts Options
		want []wantErr
	}{
		{name: "nil", spec: nil},
		{name: "empty spec", spec: &v1.VirtualMachineInstanceSpec{}},
		{name: "good", spec: good},
		{name: "bad", spec: bad, want: []wantErr{
			invalid(lp + ".successThreshold"),
			invalid(rp + ".httpGet"),
			invalid(lp + ".tcpSocket"),
			forbidden(sp + ".startStrategy"),
			invalid(rp + ".httpGet.port"),
			invalid(sp + ".domain.devices.watchdog"),
			invalid(sp + ".domain.devices.watchdog.diag288.action"),
		}},
		{name: "masquerade port not forwarded", spec: forwarded, want: []wantErr{invalid(rp + ".httpGet.port")}},
		{name: "cluster architecture", spec: s390x, opts: Options{Architecture: ArchS390X},
			want: []wantErr{invalid(sp + ".domain.devices.watchdog")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertErrors(t, ValidateVMISpec(tt.spec, specPath, tt.opts), tt.want)
		})
	}
}

// FuzzValidateVMISpec checks that no decodable spec makes the checks
// panic, including the advice ones ValidateVMISpec leaves out.
func FuzzValidateVMISpec(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"livenessProbe":{"httpGet":{"port":"http"},"tcpSocket":{"port":70000}},"startStrategy":"Paused"}`,
		`{"readinessProbe":{"exec":{}},"networks":[{"name":"default","pod":{}}],"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{},"ports":[{"port":22}],"portRanges":[{"start":5,"end":1}]}]}}}`,
		`{"architecture":"arm64","domain":{"devices":{"watchdog":{"i6300esb":{"action":"explode"},"diag288":{}}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var spec v1.VirtualMachineInstanceSpec
		if err := json.Unmarshal(data, &spec); err != nil {
			return
		}
		ValidateVMISpec(&spec, specPath, Options{})
		for _, p := range []*v1.Probe{spec.ReadinessProbe, spec.LivenessProbe} {
			CheckHTTPHost(p, probePath)
			CheckThresholdsBelowOne(p, probePath)
			CheckLivenessBootWindow(p, probePath, 0)
			e := EffectiveProbe(p)
			_, _ = e.FailureDetection()
		}
		w := spec.Domain.Devices.Watchdog
		CheckWatchdogName(w, watchdogPath)
		CheckWatchdogActionDocumented(w, watchdogPath)
		WatchdogDefaulted(w, spec.Architecture)
	})
}
