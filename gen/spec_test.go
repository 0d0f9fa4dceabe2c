package gen

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/probespec"
)

func TestParseProbeSpec(t *testing.T) {
	tests := []struct {
		spec string
		want *v1.Probe
	}{
		{spec: "http:1500/healthz", want: probespec.HTTPGet(1500, "/healthz").Build()},
		{spec: "http:1500", want: probespec.HTTPGet(1500, "").Build()},
		{spec: "HTTP:1500/", want: probespec.HTTPGet(1500, "/").Build()},
		{spec: "http:1500/healthz?full=1", want: probespec.HTTPGet(1500, "/healthz?full=1").Build()},
		{spec: "https:8443/ready", want: probespec.HTTPGet(8443, "/ready").Scheme(k8sv1.URISchemeHTTPS).Build()},
		{spec: "http:web/healthz", want: probespec.HTTPGetNamed("web", "/healthz").Build()},
		{spec: "tcp:1500", want: probespec.TCPSocket(1500).Build()},
		{spec: "tcp:65535", want: probespec.TCPSocket(65535).Build()},
		{spec: "tcp:ssh", want: probespec.TCPSocketNamed("ssh").Build()},
		{spec: "exec:cat /tmp/healthy", want: probespec.Exec("cat", "/tmp/healthy").Build()},
		{spec: "exec:'cat /tmp/healthy'", want: probespec.Exec("cat /tmp/healthy").Build()},
		{spec: `exec:sh -c 'test -f /run/ok && echo "ok"'`, want: probespec.Exec("sh", "-c", `test -f /run/ok && echo "ok"`).Build()},
		{spec: `exec:printf "%s\n" a\ b ''`, want: probespec.Exec("printf", `%s\n`, "a b", "").Build()},
		{spec: "guest-agent-ping", want: probespec.GuestAgentPing().Build()},
		{spec: "guestAgentPing", want: probespec.GuestAgentPing().Build()},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseProbeSpec(tt.spec)
			if err != nil {
				t.Fatalf("ParseProbeSpec(%q): %v", tt.spec, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseProbeSpec(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestParseProbeSpecErrors(t *testing.T) {
	tests := []struct {
		spec string
		// wantParts must all appear in the error: the bad part, named.
		wantParts []string
	}{
		{spec: "", wantParts: []string{"empty probe"}},
		{spec: "htp:1500", wantParts: []string{`unknown probe type "htp"`, "http:PORT"}},
		{spec: "grpc:9090", wantParts: []string{`unknown probe type "grpc"`}},
		{spec: "http", wantParts: []string{"http needs a port"}},
		{spec: "http:", wantParts: []string{"http needs a port"}},
		{spec: "http:/healthz", wantParts: []string{"missing port"}},
		{spec: "http:70000/healthz", wantParts: []string{`port "70000"`, "1 to 65535"}},
		{spec: "tcp:0", wantParts: []string{`port "0"`}},
		{spec: "tcp:15x0", wantParts: []string{`port "15x0"`}},
		{spec: "tcp:SSH", wantParts: []string{`port "SSH"`, "port name"}},
		{spec: "tcp:a-very-long-port-name", wantParts: []string{`port "a-very-long-port-name"`}},
		{spec: "tcp:1500/healthz", wantParts: []string{"tcp probe has no path", "http:1500/healthz"}},
		{spec: "tcp", wantParts: []string{"tcp needs a port"}},
		{spec: "http:1500/a b", wantParts: []string{`path "/a b"`}},
		{spec: "exec:", wantParts: []string{"exec needs a command"}},
		{spec: "exec", wantParts: []string{"exec needs a command"}},
		{spec: "exec:cat '/tmp/x", wantParts: []string{"unterminated single quote"}},
		{spec: `exec:echo "hi`, wantParts: []string{"unterminated double quote"}},
		{spec: `exec:echo \`, wantParts: []string{"trailing backslash"}},
		{spec: "guest-agent-ping:1", wantParts: []string{"guest-agent-ping takes nothing"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseProbeSpec(tt.spec)
			if err == nil {
				t.Fatalf("ParseProbeSpec(%q) succeeded", tt.spec)
			}
			for _, part := range append(tt.wantParts, fmt.Sprintf("probe %q", tt.spec)) {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		in      string
		want    k8sv1.HTTPHeader
		wantErr string
	}{
		{in: "Custom-Header: Awesome", want: k8sv1.HTTPHeader{Name: "Custom-Header", Value: "Awesome"}},
		{in: "X-Token:abc:def", want: k8sv1.HTTPHeader{Name: "X-Token", Value: "abc:def"}},
		{in: "Host: example.com ", want: k8sv1.HTTPHeader{Name: "Host", Value: "example.com"}},
		{in: "X-Empty:", want: k8sv1.HTTPHeader{Name: "X-Empty"}},
		{in: "Custom-Header Awesome", wantErr: "Name: value"},
		{in: "Bad Name: x", wantErr: `invalid name "Bad Name"`},
		{in: ": x", wantErr: "invalid name"},
		{in: "X-Bell: \a", wantErr: "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseHeader(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseHeader(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseHeader(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{in: "", want: nil},
		{in: "   ", want: nil},
		{in: "cat /tmp/healthy", want: []string{"cat", "/tmp/healthy"}},
		{in: "  a\t b\n", want: []string{"a", "b"}},
		{in: "'a b' c", want: []string{"a b", "c"}},
		{in: `"a \"b\" \$x \n"`, want: []string{`a "b" $x \n`}},
		{in: `a\ b`, want: []string{"a b"}},
		{in: `''`, want: []string{""}},
		{in: `a''b`, want: []string{"ab"}},
		{in: `'it'\''s'`, want: []string{"it's"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := SplitCommand(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitCommand(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(got) > 0 {
				back, err := SplitCommand(JoinCommand(got))
				if err != nil || !reflect.DeepEqual(back, got) {
					t.Errorf("SplitCommand(JoinCommand(%q)) = %q, %v", got, back, err)
				}
			}
		})
	}
}

func TestFormatProbeSpec(t *testing.T) {
	tests := []struct {
		name  string
		probe *v1.Probe
		want  string
	}{
		{name: "http", probe: probespec.HTTPGet(1500, "/healthz").Build(), want: "http:1500/healthz"},
		{name: "https named", probe: probespec.HTTPGetNamed("web", "/").Scheme(k8sv1.URISchemeHTTPS).Build(), want: "https:web/"},
		{name: "tcp", probe: probespec.TCPSocket(22).Build(), want: "tcp:22"},
		{name: "exec", probe: probespec.Exec("cat", "/tmp/a b").Build(), want: "exec:cat '/tmp/a b'"},
		{name: "ping", probe: probespec.GuestAgentPing().Build(), want: "guest-agent-ping"},
		{name: "headers", probe: probespec.HTTPGet(1, "/").Header("A", "b").Build(), want: ""},
		{name: "host", probe: probespec.TCPSocket(1).Host("x").Build(), want: ""},
		{name: "no handler", probe: &v1.Probe{}, want: ""},
		{name: "two handlers", probe: &v1.Probe{Handler: v1.Handler{
			TCPSocket: &k8sv1.TCPSocketAction{Port: intstr.FromInt32(1)}, GuestAgentPing: &v1.GuestAgentPing{}}}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatProbeSpec(tt.probe); got != tt.want {
				t.Errorf("FormatProbeSpec = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzParseProbeSpec checks that no input panics, that every probe parsed
// has exactly one handler and passes KubeVirt's per-probe checks, and that
// formatting it gives back a spec that parses to the same probe.
func FuzzParseProbeSpec(f *testing.F) {
	for _, s := range []string{
		"http:1500/healthz", "https:8443/ready", "tcp:1500", "tcp:ssh",
		"exec:'cat /tmp/healthy'", "exec:cat /tmp/healthy", "guest-agent-ping",
		"http:1500", "http:web/", `exec:sh -c "echo \"hi\""`, "tcp:70000", "htp:1",
		"http:1500/a b", "exec:'", `exec:a\`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProbeSpec(s)
		if err != nil {
			if p != nil {
				t.Fatalf("ParseProbeSpec(%q) returned a probe and an error", s)
			}
			if !strings.HasPrefix(err.Error(), "probe ") {
				t.Fatalf("error %q does not start by naming the probe", err)
			}
			return
		}
		if n := len(probespec.Handlers(p)); n != 1 {
			t.Fatalf("ParseProbeSpec(%q) gave %d handlers", s, n)
		}
		if errs := probespec.ValidateProbe(p, nil, true); len(errs) > 0 {
			t.Fatalf("ParseProbeSpec(%q) gave an invalid probe: %v", s, errs)
		}
		formatted := FormatProbeSpec(p)
		if formatted == "" {
			t.Fatalf("FormatProbeSpec cannot write the probe parsed from %q", s)
		}
		back, err := ParseProbeSpec(formatted)
		if err != nil {
			t.Fatalf("ParseProbeSpec(FormatProbeSpec(%q) = %q): %v", s, formatted, err)
		}
		if !reflect.DeepEqual(back, p) {
			t.Fatalf("round trip of %q through %q: got %+v, want %+v", s, formatted, back, p)
		}
	})
}

// TestYAML11Strings checks that strings YAML 1.1 tools would read as
// booleans or numbers come out quoted and decode back as strings.
func TestYAML11Strings(t *testing.T) {
	for _, v := range []string{"y", "Y", "n", "yes", "No", "on", "OFF", "1:30", "1_000", "0b101", "true", "1500", "0755", "null", "~", "1e3"} {
		s, err := Build(Request{Readiness: &ProbeRequest{Spec: "http:1500/", Headers: []string{"X-Value: " + v}}})
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		out, err := s.Render(FormatYAML, TargetVM)
		if err != nil {
			t.Fatal(err)
		}
		var vm v1.VirtualMachine
		if err := sigsyaml.Unmarshal(out, &vm); err != nil {
			t.Fatalf("%q: %v\n%s", v, err, out)
		}
		if got := vm.Spec.Template.Spec.ReadinessProbe.HTTPGet.HTTPHeaders[0].Value; got != v {
			t.Errorf("header value %q came back as %q:\n%s", v, got, out)
		}
	}
	for _, v := range []string{"yesterday", "ok", "1500/x", "a_b"} {
		if yaml11NonString(v) {
			t.Errorf("%q needs no quotes", v)
		}
	}
}
