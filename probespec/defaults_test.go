package probespec

import (
	"reflect"
	"slices"
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	v1 "kubevirt.io/api/core/v1"
)

func TestDefaulted(t *testing.T) {
	tests := []struct {
		name string
		in   *v1.Probe
		want *v1.Probe
	}{
		{name: "nil", in: nil, want: nil},
		{
			name: "empty gets every default, initial delay untouched",
			in:   &v1.Probe{InitialDelaySeconds: -3},
			want: &v1.Probe{InitialDelaySeconds: -3, TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3},
		},
		{
			name: "negative values are replaced",
			in:   &v1.Probe{TimeoutSeconds: -1, PeriodSeconds: -1, SuccessThreshold: -1, FailureThreshold: -1},
			want: &v1.Probe{TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3},
		},
		{
			name: "written values are kept",
			in:   &v1.Probe{InitialDelaySeconds: 5, TimeoutSeconds: 2, PeriodSeconds: 3, SuccessThreshold: 4, FailureThreshold: 5},
			want: &v1.Probe{InitialDelaySeconds: 5, TimeoutSeconds: 2, PeriodSeconds: 3, SuccessThreshold: 4, FailureThreshold: 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Defaulted(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Defaulted() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestDefaultedMatchesKubeVirt keeps Defaulted in step with the API
// package's own defaulting function.
func TestDefaultedMatchesKubeVirt(t *testing.T) {
	for _, v := range []int32{-5, -1, 0, 1, 2, 30} {
		in := &v1.Probe{TimeoutSeconds: v, PeriodSeconds: v, SuccessThreshold: v, FailureThreshold: v}
		want := in.DeepCopy()
		v1.SetDefaults_Probe(want)
		if got := Defaulted(in); !reflect.DeepEqual(got, want) {
			t.Errorf("value %d: Defaulted() = %+v, SetDefaults_Probe = %+v", v, got, want)
		}
	}
}

func TestDefaultedDoesNotModifyInput(t *testing.T) {
	in := HTTPGet(80, "/").Build()
	_ = Defaulted(in)
	if in.PeriodSeconds != 0 {
		t.Errorf("input period = %d, want 0", in.PeriodSeconds)
	}
}

func TestHandlers(t *testing.T) {
	all := &v1.Probe{Handler: v1.Handler{
		GuestAgentPing: &v1.GuestAgentPing{}, Exec: &k8sv1.ExecAction{},
		TCPSocket: &k8sv1.TCPSocketAction{}, HTTPGet: &k8sv1.HTTPGetAction{},
	}}
	tests := []struct {
		name     string
		p        *v1.Probe
		want     []string
		wantName string
	}{
		{name: "nil", p: nil, want: nil, wantName: ""},
		{name: "none", p: &v1.Probe{}, want: nil, wantName: ""},
		{name: "exec", p: Exec("true").Build(), want: []string{HandlerExec}, wantName: HandlerExec},
		{name: "guestAgentPing", p: GuestAgentPing().Build(), want: []string{HandlerGuestAgentPing}, wantName: HandlerGuestAgentPing},
		{name: "all in fixed order", p: all,
			want:     []string{HandlerHTTPGet, HandlerTCPSocket, HandlerExec, HandlerGuestAgentPing},
			wantName: HandlerHTTPGet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Handlers(tt.p); !slices.Equal(got, tt.want) {
				t.Errorf("Handlers() = %v, want %v", got, tt.want)
			}
			if got := HandlerName(tt.p); got != tt.wantName {
				t.Errorf("HandlerName() = %q, want %q", got, tt.wantName)
			}
		})
	}
}

func TestEffectiveProbe(t *testing.T) {
	tests := []struct {
		name string
		p    *v1.Probe
		want Effective
	}{
		{name: "nil", p: nil, want: Effective{}},
		{
			name: "httpGet defaults path and scheme",
			p:    HTTPGet(1500, "").Build(),
			want: Effective{InitialDelaySeconds: 10, TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3,
				Handler: HandlerHTTPGet, HTTPPath: "/", HTTPScheme: "HTTP"},
		},
		{
			name: "httpGet keeps written path and scheme",
			p:    HTTPGet(1500, "/healthz").Scheme(k8sv1.URISchemeHTTPS).InitialDelay(120).Period(20).Timeout(10).Build(),
			want: Effective{InitialDelaySeconds: 130, TimeoutSeconds: 10, PeriodSeconds: 20, SuccessThreshold: 1, FailureThreshold: 3,
				Handler: HandlerHTTPGet, HTTPPath: "/healthz", HTTPScheme: "HTTPS"},
		},
		{
			name: "tcpSocket has no timeout offset",
			p:    TCPSocket(22).Timeout(5).Build(),
			want: Effective{InitialDelaySeconds: 10, TimeoutSeconds: 5, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3,
				Handler: HandlerTCPSocket},
		},
		{
			name: "exec gets one more second of timeout",
			p:    Exec("cat", "/tmp/healthy").Timeout(5).Build(),
			want: Effective{InitialDelaySeconds: 10, TimeoutSeconds: 6, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3,
				Handler: HandlerExec},
		},
		{
			name: "guestAgentPing gets one more second on the default timeout",
			p:    GuestAgentPing().InitialDelay(-10).FailureThreshold(-1).Build(),
			want: Effective{InitialDelaySeconds: 0, TimeoutSeconds: 2, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3,
				Handler: HandlerGuestAgentPing},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EffectiveProbe(tt.p); got != tt.want {
				t.Errorf("EffectiveProbe() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestWatchdogDefaulted(t *testing.T) {
	i6300 := func(a v1.WatchdogAction) *v1.Watchdog {
		return &v1.Watchdog{Name: "wd", WatchdogDevice: v1.WatchdogDevice{I6300ESB: &v1.I6300ESBWatchdog{Action: a}}}
	}
	diag := func(a v1.WatchdogAction) *v1.Watchdog {
		return &v1.Watchdog{Name: "wd", WatchdogDevice: v1.WatchdogDevice{Diag288: &v1.Diag288Watchdog{Action: a}}}
	}
	tests := []struct {
		name string
		w    *v1.Watchdog
		arch string
		want *v1.Watchdog
	}{
		{name: "nil", w: nil, arch: ArchAMD64, want: nil},
		{name: "no model on amd64", w: &v1.Watchdog{Name: "wd"}, arch: ArchAMD64, want: i6300(v1.WatchdogActionReset)},
		{name: "no model, no arch", w: &v1.Watchdog{Name: "wd"}, arch: "", want: i6300(v1.WatchdogActionReset)},
		{name: "no model on s390x", w: &v1.Watchdog{Name: "wd"}, arch: ArchS390X, want: diag(v1.WatchdogActionReset)},
		{name: "no model on arm64 stays empty", w: &v1.Watchdog{Name: "wd"}, arch: ArchARM64, want: &v1.Watchdog{Name: "wd"}},
		{name: "no model on ppc64le stays empty", w: &v1.Watchdog{Name: "wd"}, arch: "ppc64le", want: &v1.Watchdog{Name: "wd"}},
		{name: "model kept, empty action reset", w: diag(""), arch: ArchAMD64, want: diag(v1.WatchdogActionReset)},
		{name: "written action kept", w: i6300(v1.WatchdogActionPoweroff), arch: ArchAMD64, want: i6300(v1.WatchdogActionPoweroff)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before *v1.Watchdog
			if tt.w != nil {
				before = tt.w.DeepCopy()
			}
			if got := WatchdogDefaulted(tt.w, tt.arch); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WatchdogDefaulted() = %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(tt.w, before) {
				t.Errorf("WatchdogDefaulted modified its input: %+v", tt.w)
			}
		})
	}
}
