package gen

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

// Probe kinds of the compact syntax, the word before the colon.
const (
	KindHTTP           = "http"
	KindHTTPS          = "https"
	KindTCP            = "tcp"
	KindExec           = "exec"
	KindGuestAgentPing = "guest-agent-ping"
)

// SpecSyntax sums up the compact probe syntax for error messages and help.
const SpecSyntax = "http:PORT[/PATH], https:PORT[/PATH], tcp:PORT, exec:COMMAND or guest-agent-ping"

// ParseProbeSpec reads the compact form of a probe handler and returns a
// probe with only that handler set:
//
//	http:1500/healthz          httpGet port 1500, path /healthz
//	https:8443/ready           httpGet with scheme HTTPS
//	http:1500                  httpGet without a path (the kubelet asks for /)
//	tcp:1500                   tcpSocket port 1500
//	tcp:ssh                    tcpSocket on the port named ssh
//	exec:cat /tmp/healthy      exec, the command split into words as a shell would
//	guest-agent-ping           guestAgentPing
//
// PORT is a number from 1 to 65535 or an IANA service name (a port that one
// of the VM's interfaces declares by that name). The command of exec is split
// on blanks, with 'single quotes', "double quotes" and backslashes as in a
// POSIX shell, but nothing is expanded: the guest agent runs the words as
// they are, without a shell. Errors name the part that is wrong.
func ParseProbeSpec(s string) (*v1.Probe, error) {
	kind, rest, hasColon := strings.Cut(s, ":")
	kind = strings.ToLower(strings.TrimSpace(kind))
	p := &v1.Probe{}
	switch kind {
	case KindHTTP, KindHTTPS:
		if !hasColon || rest == "" {
			return nil, specErrorf(s, "%s needs a port: %s:PORT[/PATH], such as %s:1500/healthz", kind, kind, kind)
		}
		portPart, path := rest, ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			portPart, path = rest[:i], rest[i:]
		}
		port, err := parsePort(portPart)
		if err != nil {
			return nil, specErrorf(s, "%v", err)
		}
		if err := checkPath(path); err != nil {
			return nil, specErrorf(s, "path %q: %v", path, err)
		}
		p.HTTPGet = &k8sv1.HTTPGetAction{Port: port, Path: path}
		if kind == KindHTTPS {
			p.HTTPGet.Scheme = k8sv1.URISchemeHTTPS
		}
	case KindTCP:
		if !hasColon || rest == "" {
			return nil, specErrorf(s, "tcp needs a port: tcp:PORT, such as tcp:1500 or tcp:ssh")
		}
		if strings.Contains(rest, "/") {
			return nil, specErrorf(s, "a tcp probe has no path (%q); use http:%s for an HTTP request", rest[strings.IndexByte(rest, '/'):], rest)
		}
		port, err := parsePort(rest)
		if err != nil {
			return nil, specErrorf(s, "%v", err)
		}
		p.TCPSocket = &k8sv1.TCPSocketAction{Port: port}
	case KindExec:
		words, err := SplitCommand(rest)
		if err != nil {
			return nil, specErrorf(s, "command: %v", err)
		}
		if len(words) == 0 {
			return nil, specErrorf(s, "exec needs a command: exec:COMMAND, such as exec:'cat /tmp/healthy'")
		}
		p.Exec = &k8sv1.ExecAction{Command: words}
	case KindGuestAgentPing, "guestagentping":
		if hasColon {
			return nil, specErrorf(s, "guest-agent-ping takes nothing after it (%q)", rest)
		}
		p.GuestAgentPing = &v1.GuestAgentPing{}
	case "":
		return nil, specErrorf(s, "empty probe; use %s", SpecSyntax)
	default:
		return nil, specErrorf(s, "unknown probe type %q; use %s", kind, SpecSyntax)
	}
	return p, nil
}

func specErrorf(spec, format string, args ...any) error {
	return fmt.Errorf("probe %q: %s", spec, fmt.Sprintf(format, args...))
}

// parsePort reads a port number or name as Kubernetes accepts it.
func parsePort(s string) (intstr.IntOrString, error) {
	if s == "" {
		return intstr.IntOrString{}, fmt.Errorf("missing port")
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 65535 {
			return intstr.IntOrString{}, fmt.Errorf("port %q: must be a number from 1 to 65535 or a port name", s)
		}
		return intstr.FromInt32(int32(n)), nil
	}
	if msgs := validation.IsValidPortName(s); len(msgs) > 0 {
		return intstr.IntOrString{}, fmt.Errorf("port %q: not a number, and not a valid port name: %s", s, strings.Join(msgs, "; "))
	}
	return intstr.FromString(s), nil
}

// checkPath refuses paths the kubelet cannot put into a request line.
func checkPath(path string) error {
	for _, r := range path {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("contains %q; percent-encode it", r)
		}
	}
	return nil
}

// ParseHeader reads an HTTP header written as "Name: value", the form of
// --header and of curl -H.
func ParseHeader(s string) (k8sv1.HTTPHeader, error) {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		return k8sv1.HTTPHeader{}, fmt.Errorf("header %q: write it as Name: value", s)
	}
	name = strings.TrimSpace(name)
	if msgs := validation.IsHTTPHeaderName(name); len(msgs) > 0 {
		return k8sv1.HTTPHeader{}, fmt.Errorf("header %q: invalid name %q: %s", s, name, strings.Join(msgs, "; "))
	}
	value = strings.TrimSpace(value)
	for _, r := range value {
		if r != '\t' && unicode.IsControl(r) {
			return k8sv1.HTTPHeader{}, fmt.Errorf("header %q: the value contains the control character %q", s, r)
		}
	}
	return k8sv1.HTTPHeader{Name: name, Value: value}, nil
}

// FormatProbeSpec writes the handler of p in the compact syntax of
// ParseProbeSpec, so that parsing the result gives the same handler back.
// It returns "" for a probe without exactly one handler or with a part the
// syntax cannot express (a host, headers, a scheme other than HTTP and
// HTTPS).
func FormatProbeSpec(p *v1.Probe) string {
	if len(probespec.Handlers(p)) != 1 {
		return ""
	}
	switch {
	case p.HTTPGet != nil:
		h := p.HTTPGet
		if h.Host != "" || len(h.HTTPHeaders) > 0 || checkPath(h.Path) != nil ||
			(h.Path != "" && !strings.HasPrefix(h.Path, "/")) {
			return ""
		}
		kind := KindHTTP
		switch h.Scheme {
		case "", k8sv1.URISchemeHTTP:
		case k8sv1.URISchemeHTTPS:
			kind = KindHTTPS
		default:
			return ""
		}
		return kind + ":" + h.Port.String() + h.Path
	case p.TCPSocket != nil:
		if p.TCPSocket.Host != "" {
			return ""
		}
		return KindTCP + ":" + p.TCPSocket.Port.String()
	case p.Exec != nil:
		return KindExec + ":" + JoinCommand(p.Exec.Command)
	default:
		return KindGuestAgentPing
	}
}
