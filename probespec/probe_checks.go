package probespec

import (
	"strconv"
	"strings"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/message"
)

// The probe checks take the probe and the path of the probe itself, for
// example spec.template.spec.livenessProbe, and return nil for a nil probe
// or one the check does not apply to.

// CheckSingleHandler reports a probe with more than one of httpGet,
// tcpSocket, exec and guestAgentPing. KubeVirt rejects it.
func CheckSingleHandler(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	names := Handlers(p)
	if len(names) <= 1 {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath, names, MultipleHandlersMessage.Text(JoinAnd(names)))}
}

// MultipleHandlersMessage is CheckSingleHandler's message. It takes the
// handlers, as JoinAnd lists them.
var MultipleHandlersMessage = message.Msg("must have exactly one probe type set", message.Val(", found %s", ""), "; keep one")

// CheckHasHandler reports a probe with none of httpGet, tcpSocket, exec and
// guestAgentPing. KubeVirt rejects it.
func CheckHasHandler(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	if p == nil || len(Handlers(p)) > 0 {
		return nil
	}
	return field.ErrorList{field.Required(fldPath, NoHandlerMessage.Text())}
}

// NoHandlerMessage is CheckHasHandler's message.
var NoHandlerMessage = message.Msg("one of httpGet, tcpSocket, exec or guestAgentPing must be set")

// CheckHTTPScheme reports an httpGet scheme other than "", "HTTP" or
// "HTTPS". The comparison is case-sensitive, as in KubeVirt's schema.
func CheckHTTPScheme(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	if p == nil || p.HTTPGet == nil {
		return nil
	}
	switch p.HTTPGet.Scheme {
	case "", k8sv1.URISchemeHTTP, k8sv1.URISchemeHTTPS:
		return nil
	}
	return field.ErrorList{field.NotSupported(fldPath.Child(HandlerHTTPGet, "scheme"),
		string(p.HTTPGet.Scheme), []string{string(k8sv1.URISchemeHTTP), string(k8sv1.URISchemeHTTPS)})}
}

// CheckPortPresent reports an httpGet or tcpSocket probe without a port:
// the number 0 or an empty name. KubeVirt's schema requires the port, and a
// port left out of YAML decodes as 0.
func CheckPortPresent(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, h := range networkHandlers(p) {
		if portIsZero(h.port) {
			errs = append(errs, field.Required(fldPath.Child(h.name, "port"),
				"the port to probe must be set: a number from 1 to 65535 or the name of a port declared on an interface"))
		}
	}
	return errs
}

// CheckPortRange reports an httpGet or tcpSocket port that Kubernetes pod
// validation rejects: a number outside 1–65535, or a name that is not a
// valid IANA service name. KubeVirt accepts such a VM, but its
// virt-launcher pod is refused, so the VM never starts. A missing port is
// CheckPortPresent's.
func CheckPortRange(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, h := range networkHandlers(p) {
		if portIsZero(h.port) {
			continue
		}
		path := fldPath.Child(h.name, "port")
		if h.port.Type == intstr.Int {
			if msgs := validation.IsValidPortNum(int(h.port.IntVal)); len(msgs) > 0 {
				errs = append(errs, field.Invalid(path, h.port.IntVal,
					"must be between 1 and 65535, inclusive; the virt-launcher pod would be rejected"))
			}
			continue
		}
		if msgs := validation.IsValidPortName(h.port.StrVal); len(msgs) > 0 {
			detail := "not a valid port name: " + strings.Join(msgs, "; ")
			if _, err := strconv.Atoi(h.port.StrVal); err == nil {
				detail += QuotedPortMessage.Text()
			}
			errs = append(errs, field.Invalid(path, h.port.StrVal, detail))
		}
	}
	return errs
}

// QuotedPortMessage is the advice CheckPortRange adds to a port name that
// is a number in quotes.
var QuotedPortMessage = message.Msg("; write the port number without quotes")

// CheckExecCommand reports an exec probe with an empty command, which
// Kubernetes pod validation rejects on the virt-launcher pod.
func CheckExecCommand(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	if p == nil || p.Exec == nil || len(p.Exec.Command) > 0 {
		return nil
	}
	return field.ErrorList{field.Required(fldPath.Child(HandlerExec, "command"),
		"the command to run in the guest must be set, for example [cat, /tmp/healthy]")}
}

// CheckHTTPHost reports an httpGet or tcpSocket probe with a host. The
// kubelet then probes that host rather than the VM, so the probe says
// nothing about the guest. This is advice, not an error: KubeVirt accepts
// it.
func CheckHTTPHost(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, h := range networkHandlers(p) {
		if h.host != "" {
			errs = append(errs, field.Invalid(fldPath.Child(h.name, "host"), h.host, HostSetMessage.Static()))
		}
	}
	return errs
}

// HostSetMessage is CheckHTTPHost's message. It takes the host; the field
// error is worded without it (Static), as its bad value shows it.
var HostSetMessage = message.Msg("the kubelet probes ", message.Val("host %q", "this host"),
	" instead of the VM; remove host to probe the VM through its virt-launcher pod IP")

// networkHandler is an httpGet or tcpSocket handler reduced to what the
// network checks need.
type networkHandler struct {
	name string
	port intstr.IntOrString
	host string
}

// networkHandlers returns p's httpGet and tcpSocket handlers, in that
// order.
func networkHandlers(p *v1.Probe) []networkHandler {
	if p == nil {
		return nil
	}
	var hs []networkHandler
	if p.HTTPGet != nil {
		hs = append(hs, networkHandler{HandlerHTTPGet, p.HTTPGet.Port, p.HTTPGet.Host})
	}
	if p.TCPSocket != nil {
		hs = append(hs, networkHandler{HandlerTCPSocket, p.TCPSocket.Port, p.TCPSocket.Host})
	}
	return hs
}

func portIsZero(port intstr.IntOrString) bool {
	if port.Type == intstr.String {
		return port.StrVal == ""
	}
	return port.IntVal == 0
}

// portValue returns the port as it was written, a number or a name, for
// use as an error's bad value.
func portValue(port intstr.IntOrString) any {
	if port.Type == intstr.String {
		return port.StrVal
	}
	return port.IntVal
}

// JoinAnd joins words as "a", "a and b" or "a, b and c", as the checks'
// messages list handlers and models.
func JoinAnd(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
