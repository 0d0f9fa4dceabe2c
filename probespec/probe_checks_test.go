package probespec

import (
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"
)

// probeCheckCase is a probe check's input and the errors it should give
// at probePath.
type probeCheckCase struct {
	name string
	p    *v1.Probe
	want []wantErr
}

func runProbeCheck(t *testing.T, check func(*v1.Probe, *field.Path) field.ErrorList, tests []probeCheckCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertErrors(t, check(tt.p, probePath), tt.want)
		})
	}
}

func TestCheckSingleHandler(t *testing.T) {
	two := HTTPGet(80, "/").Build()
	two.TCPSocket = &k8sv1.TCPSocketAction{Port: intstr.FromInt32(22)}
	three := Exec("true").Build()
	three.GuestAgentPing = &v1.GuestAgentPing{}
	three.HTTPGet = &k8sv1.HTTPGetAction{Port: intstr.FromInt32(80)}
	runProbeCheck(t, CheckSingleHandler, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "no handler is CheckHasHandler's", p: &v1.Probe{}},
		{name: "one handler", p: GuestAgentPing().Build()},
		{name: "httpGet and tcpSocket", p: two, want: []wantErr{invalid(lp)}},
		{name: "three handlers", p: three, want: []wantErr{invalid(lp)}},
	})
}

func TestCheckHasHandler(t *testing.T) {
	runProbeCheck(t, CheckHasHandler, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "empty probe", p: &v1.Probe{PeriodSeconds: 10}, want: []wantErr{required(lp)}},
		{name: "exec", p: Exec("true").Build()},
		{name: "guestAgentPing counts", p: GuestAgentPing().Build()},
	})
}

func TestCheckHTTPScheme(t *testing.T) {
	runProbeCheck(t, CheckHTTPScheme, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "tcpSocket", p: TCPSocket(22).Build()},
		{name: "empty scheme", p: HTTPGet(80, "/").Build()},
		{name: "HTTP", p: HTTPGet(80, "/").Scheme(k8sv1.URISchemeHTTP).Build()},
		{name: "HTTPS", p: HTTPGet(80, "/").Scheme(k8sv1.URISchemeHTTPS).Build()},
		{name: "lower case https", p: HTTPGet(80, "/").Scheme("https").Build(),
			want: []wantErr{invalid(lp + ".httpGet.scheme")}},
		{name: "ftp", p: HTTPGet(80, "/").Scheme("FTP").Build(),
			want: []wantErr{invalid(lp + ".httpGet.scheme")}},
	})
}

func TestCheckPortPresent(t *testing.T) {
	both := HTTPGet(0, "/").Build()
	both.TCPSocket = &k8sv1.TCPSocketAction{}
	runProbeCheck(t, CheckPortPresent, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "exec", p: Exec("true").Build()},
		{name: "httpGet port 0", p: HTTPGet(0, "/").Build(), want: []wantErr{required(lp + ".httpGet.port")}},
		{name: "tcpSocket empty name", p: TCPSocketNamed("").Build(), want: []wantErr{required(lp + ".tcpSocket.port")}},
		{name: "both handlers without port", p: both,
			want: []wantErr{required(lp + ".httpGet.port"), required(lp + ".tcpSocket.port")}},
		{name: "numeric port", p: HTTPGet(1500, "/").Build()},
		{name: "named port", p: TCPSocketNamed("ssh").Build()},
		{name: "out of range is CheckPortRange's", p: TCPSocket(70000).Build()},
	})
}

func TestCheckPortRange(t *testing.T) {
	runProbeCheck(t, CheckPortRange, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "guestAgentPing", p: GuestAgentPing().Build()},
		{name: "port 0 is CheckPortPresent's", p: HTTPGet(0, "/").Build()},
		{name: "port 1", p: HTTPGet(1, "/").Build()},
		{name: "port 65535", p: TCPSocket(65535).Build()},
		{name: "port 65536", p: TCPSocket(65536).Build(), want: []wantErr{invalid(lp + ".tcpSocket.port")}},
		{name: "port 70000", p: HTTPGet(70000, "/").Build(), want: []wantErr{invalid(lp + ".httpGet.port")}},
		{name: "negative port", p: HTTPGet(-1, "/").Build(), want: []wantErr{invalid(lp + ".httpGet.port")}},
		{name: "valid name", p: HTTPGetNamed("http-alt", "/").Build()},
		{name: "number as string", p: HTTPGetNamed("1500", "/").Build(), want: []wantErr{invalid(lp + ".httpGet.port")}},
		{name: "name too long", p: TCPSocketNamed("a-very-long-port-name").Build(), want: []wantErr{invalid(lp + ".tcpSocket.port")}},
		{name: "upper case name", p: TCPSocketNamed("HTTP").Build(), want: []wantErr{invalid(lp + ".tcpSocket.port")}},
	})
}

func TestCheckExecCommand(t *testing.T) {
	runProbeCheck(t, CheckExecCommand, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "httpGet", p: HTTPGet(80, "/").Build()},
		{name: "command set", p: Exec("cat", "/tmp/healthy").Build()},
		{name: "no command", p: Exec().Build(), want: []wantErr{required(lp + ".exec.command")}},
	})
}

func TestCheckHTTPHost(t *testing.T) {
	runProbeCheck(t, CheckHTTPHost, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "no host", p: HTTPGet(80, "/").Build()},
		{name: "exec", p: Exec("true").Build()},
		{name: "httpGet host", p: HTTPGet(80, "/").Host("example.org").Build(), want: []wantErr{invalid(lp + ".httpGet.host")}},
		{name: "tcpSocket host", p: TCPSocket(22).Host("10.0.0.1").Build(), want: []wantErr{invalid(lp + ".tcpSocket.host")}},
	})
}
