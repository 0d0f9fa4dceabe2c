package probespec

import (
	"reflect"
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"
)

func TestProbeBuilder(t *testing.T) {
	tests := []struct {
		name  string
		build func() *v1.Probe
		want  *v1.Probe
	}{
		{
			name: "httpGet with every setting",
			build: func() *v1.Probe {
				return HTTPGet(1500, "/healthz").Scheme(k8sv1.URISchemeHTTPS).
					Header("Custom-Header", "Awesome").Host("example.org").
					InitialDelay(120).Period(20).Timeout(10).FailureThreshold(3).SuccessThreshold(1).Build()
			},
			want: &v1.Probe{
				Handler: v1.Handler{HTTPGet: &k8sv1.HTTPGetAction{
					Path:        "/healthz",
					Port:        intstr.FromInt32(1500),
					Host:        "example.org",
					Scheme:      k8sv1.URISchemeHTTPS,
					HTTPHeaders: []k8sv1.HTTPHeader{{Name: "Custom-Header", Value: "Awesome"}},
				}},
				InitialDelaySeconds: 120, PeriodSeconds: 20, TimeoutSeconds: 10,
				FailureThreshold: 3, SuccessThreshold: 1,
			},
		},
		{
			name:  "httpGet on a named port",
			build: func() *v1.Probe { return HTTPGetNamed("http", "/healthz").Build() },
			want: &v1.Probe{Handler: v1.Handler{HTTPGet: &k8sv1.HTTPGetAction{
				Path: "/healthz", Port: intstr.FromString("http"),
			}}},
		},
		{
			name:  "tcpSocket with host",
			build: func() *v1.Probe { return TCPSocket(22).Host("10.0.0.1").Build() },
			want: &v1.Probe{Handler: v1.Handler{TCPSocket: &k8sv1.TCPSocketAction{
				Port: intstr.FromInt32(22), Host: "10.0.0.1",
			}}},
		},
		{
			name:  "tcpSocket on a named port ignores http settings",
			build: func() *v1.Probe { return TCPSocketNamed("ssh").Scheme(k8sv1.URISchemeHTTPS).Header("a", "b").Build() },
			want: &v1.Probe{Handler: v1.Handler{TCPSocket: &k8sv1.TCPSocketAction{
				Port: intstr.FromString("ssh"),
			}}},
		},
		{
			name:  "exec ignores host",
			build: func() *v1.Probe { return Exec("cat", "/tmp/healthy").Host("x").Period(5).Build() },
			want: &v1.Probe{
				Handler:       v1.Handler{Exec: &k8sv1.ExecAction{Command: []string{"cat", "/tmp/healthy"}}},
				PeriodSeconds: 5,
			},
		},
		{
			name:  "exec without a command",
			build: func() *v1.Probe { return Exec().Build() },
			want:  &v1.Probe{Handler: v1.Handler{Exec: &k8sv1.ExecAction{}}},
		},
		{
			name:  "guestAgentPing",
			build: func() *v1.Probe { return GuestAgentPing().InitialDelay(30).Build() },
			want: &v1.Probe{
				Handler:             v1.Handler{GuestAgentPing: &v1.GuestAgentPing{}},
				InitialDelaySeconds: 30,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.build(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Build() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestProbeBuilderBuildCopies(t *testing.T) {
	b := HTTPGet(80, "/").Header("a", "1")
	first := b.Build()
	b.Header("b", "2").Period(30)
	if got := len(first.HTTPGet.HTTPHeaders); got != 1 {
		t.Errorf("first probe has %d headers after the builder changed, want 1", got)
	}
	if first.PeriodSeconds != 0 {
		t.Errorf("first probe period = %d after the builder changed, want 0", first.PeriodSeconds)
	}
	cmd := []string{"true"}
	p := Exec(cmd...).Build()
	cmd[0] = "false"
	if p.Exec.Command[0] != "true" {
		t.Errorf("Exec kept the caller's slice: command = %v", p.Exec.Command)
	}
}

func TestWatchdogBuilder(t *testing.T) {
	tests := []struct {
		name  string
		build *WatchdogBuilder
		want  *v1.Watchdog
	}{
		{
			name:  "i6300esb poweroff",
			build: Watchdog("watchdog").Model(ModelI6300ESB).Action(v1.WatchdogActionPoweroff),
			want: &v1.Watchdog{Name: "watchdog", WatchdogDevice: v1.WatchdogDevice{
				I6300ESB: &v1.I6300ESBWatchdog{Action: v1.WatchdogActionPoweroff}}},
		},
		{
			name:  "diag288 without action",
			build: Watchdog("wd").Model(ModelDiag288),
			want: &v1.Watchdog{Name: "wd", WatchdogDevice: v1.WatchdogDevice{
				Diag288: &v1.Diag288Watchdog{}}},
		},
		{
			name:  "no model and no action leaves the model to KubeVirt",
			build: Watchdog("wd"),
			want:  &v1.Watchdog{Name: "wd"},
		},
		{
			name:  "action without model goes on i6300esb",
			build: Watchdog("wd").Action(v1.WatchdogActionShutdown),
			want: &v1.Watchdog{Name: "wd", WatchdogDevice: v1.WatchdogDevice{
				I6300ESB: &v1.I6300ESBWatchdog{Action: v1.WatchdogActionShutdown}}},
		},
		{
			name:  "unknown model is left unset",
			build: Watchdog("wd").Model("ib700"),
			want:  &v1.Watchdog{Name: "wd"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.build.Build(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Build() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestWatchdogModel(t *testing.T) {
	both := Watchdog("wd").Model(ModelI6300ESB).Build()
	both.Diag288 = &v1.Diag288Watchdog{}
	tests := []struct {
		name string
		w    *v1.Watchdog
		want string
	}{
		{name: "nil", w: nil, want: ""},
		{name: "no model", w: Watchdog("wd").Build(), want: ""},
		{name: "i6300esb", w: Watchdog("wd").Model(ModelI6300ESB).Build(), want: ModelI6300ESB},
		{name: "diag288", w: Watchdog("wd").Model(ModelDiag288).Build(), want: ModelDiag288},
		{name: "both", w: both, want: ModelI6300ESB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WatchdogModel(tt.w); got != tt.want {
				t.Errorf("WatchdogModel() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseWatchdogAction(t *testing.T) {
	tests := []struct {
		in      string
		want    v1.WatchdogAction
		wantErr bool
	}{
		{in: "poweroff", want: v1.WatchdogActionPoweroff},
		{in: "reset", want: v1.WatchdogActionReset},
		{in: "shutdown", want: v1.WatchdogActionShutdown},
		{in: "", wantErr: true},
		{in: "Reset", wantErr: true},
		{in: "pause", wantErr: true},
		{in: "explode", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWatchdogAction(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseWatchdogAction(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseWatchdogAction(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseWatchdogAction(f *testing.F) {
	for _, s := range []string{"poweroff", "reset", "shutdown", "pause", "", "explode"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseWatchdogAction(s)
		if err == nil && !IsDocumentedWatchdogAction(a) {
			t.Errorf("ParseWatchdogAction(%q) = %q without error, but it is not documented", s, a)
		}
		if err != nil && a != "" {
			t.Errorf("ParseWatchdogAction(%q) returned %q with error %v", s, a, err)
		}
	})
}
