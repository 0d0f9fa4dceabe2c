package probespec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/message"
)

// The spec checks take a VMI spec (a VM's spec.template.spec) and the path
// of that spec, and report at the probe or field below it.

// CheckPodNetworkForNetworkProbes reports an httpGet or tcpSocket
// readiness or liveness probe in a VMI without a pod network. The kubelet
// sends these probes to the virt-launcher pod's IP, which reaches the
// guest only through the pod network; KubeVirt rejects the VMI. A Multus
// network marked default does not count, nor does the pod network KubeVirt
// would add by itself when autoattachPodInterface is false.
func CheckPodNetworkForNetworkProbes(spec *v1.VirtualMachineInstanceSpec, fldPath *field.Path) field.ErrorList {
	if spec == nil || HasPodNetwork(spec) {
		return nil
	}
	var errs field.ErrorList
	for _, sp := range specProbes(spec) {
		for _, h := range networkHandlers(sp.probe) {
			errs = append(errs, field.Invalid(fldPath.Child(sp.name, h.name), field.OmitValueType{},
				NeedsPodNetworkMessage.Text(h.name, NoPodNetworkReason(spec))))
		}
	}
	return errs
}

// NeedsPodNetworkMessage is CheckPodNetworkForNetworkProbes's message. It
// takes the probe's handler and why there is no pod network
// (NoPodNetworkReason).
var NeedsPodNetworkMessage = message.Msg(message.Val("%s", "httpGet and tcpSocket"), " probes need a pod network", message.Val(", %s", ""),
	"; add a network with pod: {} and an interface of the same name, or use an exec or guestAgentPing probe")

// HasPodNetwork reports whether the VMI is attached to the pod network:
// one of spec.networks has pod set, or there are neither networks nor
// interfaces and autoattachPodInterface is not false, in which case
// KubeVirt adds the pod network itself.
func HasPodNetwork(spec *v1.VirtualMachineInstanceSpec) bool {
	if spec == nil {
		return false
	}
	if podNetworkName(spec) != "" {
		return true
	}
	auto := spec.Domain.Devices.AutoattachPodInterface
	return len(spec.Networks) == 0 && len(spec.Domain.Devices.Interfaces) == 0 && (auto == nil || *auto)
}

// NoPodNetworkReason says why a VMI without a pod network has none, as the
// end of a sentence: "and no network has pod: {}", "and the Multus default
// network \"x\" is not one", or that autoattachPodInterface is false.
func NoPodNetworkReason(spec *v1.VirtualMachineInstanceSpec) string {
	for _, n := range spec.Networks {
		if n.Multus != nil && n.Multus.Default {
			return fmt.Sprintf("and the Multus default network %q is not one", n.Name)
		}
	}
	if auto := spec.Domain.Devices.AutoattachPodInterface; auto != nil && !*auto && len(spec.Networks) == 0 {
		return "and autoattachPodInterface: false keeps KubeVirt from adding one"
	}
	return "and no network has pod: {}"
}

// CheckMasqueradeForwardsProbePorts reports an httpGet or tcpSocket probe
// whose port the pod network's interface does not forward to the guest.
// A masquerade or passt interface with a ports or portRanges list forwards
// only those TCP ports; the kubelet's probe of any other port reaches the
// virt-launcher pod instead and fails forever, though KubeVirt accepts the
// VM. Without such a list every port is forwarded, and with bridge binding
// the guest owns the pod IP, so neither is reported. A named port is
// resolved through the ports of the interfaces, as the kubelet does; an
// undeclared name is CheckNamedPortDeclared's.
func CheckMasqueradeForwardsProbePorts(spec *v1.VirtualMachineInstanceSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, u := range UnforwardedProbePorts(spec) {
		errs = append(errs, field.Invalid(fldPath.Child(u.Probe, u.Handler, "port"), portValue(u.Port), u.Message()))
	}
	return errs
}

// UnforwardedPort is a probe port that the pod network's masquerade or
// passt interface does not forward to the guest.
type UnforwardedPort struct {
	// Probe is readinessProbe or livenessProbe; Handler is httpGet or
	// tcpSocket.
	Probe, Handler string
	// Port is the probe's port as written; Number is the port it names.
	Port   intstr.IntOrString
	Number int32
	// Interface is the name of the pod network's interface, Binding its
	// binding (masquerade, passt) and Forwarded what it forwards, in words.
	Interface, Binding, Forwarded string
}

// Reason says why the port does not reach the guest, ForwardReasonMessage
// worded with u.
func (u UnforwardedPort) Reason() string {
	return ForwardReasonMessage.Text(u.reasonArgs()...)
}

// Message is the finding's text, NotForwardedMessage worded with u.
func (u UnforwardedPort) Message() string {
	return NotForwardedMessage.Text(append(append([]any{u.Port.Type == intstr.String, u.Port.StrVal, u.Number, u.Number},
		u.reasonArgs()...), u.Number)...)
}

func (u UnforwardedPort) reasonArgs() []any { return []any{u.Binding, u.Interface, u.Forwarded} }

// ForwardReasonMessage says why a port does not reach the guest. It takes
// the interface's binding, its name and what it forwards: the Binding,
// Interface and Forwarded of UnforwardedPort.
var ForwardReasonMessage = message.Msg("the ", message.Val("%s", "pod network's"), " interface", message.Val(" %q", ""),
	" forwards only ", message.Val("%s", "the ports it lists"))

// NotForwardedMessage is CheckMasqueradeForwardsProbePorts's message. It
// takes whether the port is named, the name, the number (twice), then
// ForwardReasonMessage's values, then the number: the fields of
// UnforwardedPort, as UnforwardedPort.Message gives them.
var NotForwardedMessage = message.Msg(
	message.Either("the probe's port", message.Msg("port ", message.Val("%q", ""), " (", message.Val("%d", ""), ")"), message.Msg("port ", message.Val("%d", ""))),
	" is not forwarded to the guest: ", ForwardReasonMessage, "; add ", message.Val("{port: %d}", "the port"), " to its ports")

// UnforwardedProbePorts returns the probe ports that the pod network's
// interface does not forward to the guest, readiness first.
func UnforwardedProbePorts(spec *v1.VirtualMachineInstanceSpec) []UnforwardedPort {
	if spec == nil {
		return nil
	}
	iface := podInterface(spec)
	if iface == nil || (len(iface.Ports) == 0 && len(iface.PortRanges) == 0) {
		return nil
	}
	binding := forwardingBinding(iface)
	if binding == "" {
		return nil
	}
	var out []UnforwardedPort
	for _, sp := range specProbes(spec) {
		for _, h := range networkHandlers(sp.probe) {
			port, ok := resolvePort(spec, h.port)
			if !ok || forwardsTCP(iface, port) {
				continue
			}
			out = append(out, UnforwardedPort{Probe: sp.name, Handler: h.name, Port: h.port, Number: port,
				Interface: iface.Name, Binding: binding, Forwarded: describeForwarded(iface)})
		}
	}
	return out
}

// CheckNamedPortDeclared reports an httpGet or tcpSocket probe whose port
// is a name that no interface declares in its ports. KubeVirt copies the
// interfaces' ports onto the virt-launcher pod, and the kubelet resolves a
// named probe port only through those, so the probe can never run.
func CheckNamedPortDeclared(spec *v1.VirtualMachineInstanceSpec, fldPath *field.Path) field.ErrorList {
	if spec == nil {
		return nil
	}
	var errs field.ErrorList
	for _, sp := range specProbes(spec) {
		for _, h := range networkHandlers(sp.probe) {
			if h.port.Type != intstr.String || h.port.StrVal == "" {
				continue
			}
			if _, ok := resolvePort(spec, h.port); ok {
				continue
			}
			errs = append(errs, field.Invalid(fldPath.Child(sp.name, h.name, "port"), h.port.StrVal,
				NamedPortUndeclaredMessage.Text(h.port.StrVal, DeclaredPortNames(spec), h.port.StrVal)))
		}
	}
	return errs
}

// NamedPortUndeclaredMessage is CheckNamedPortDeclared's message. It
// takes the port's name, the names declared (DeclaredPortNames) and the
// name again.
var NamedPortUndeclaredMessage = message.Msg("no interface declares ", message.Val("a port named %q", "the probe's port name"), message.Val("%s", ""),
	"; add {name: ", message.Val("%s", "<name>"), ", port: <number>} to the ports of the pod network's interface, or probe the port by number "+
		"(on a masquerade interface a ports list forwards only the ports it lists)")

// specProbe is a probe of a VMI spec with its field name.
type specProbe struct {
	name  string
	probe *v1.Probe
}

// specProbes returns the readiness and liveness probes of spec that are
// set, in that order.
func specProbes(spec *v1.VirtualMachineInstanceSpec) []specProbe {
	var out []specProbe
	if spec.ReadinessProbe != nil {
		out = append(out, specProbe{"readinessProbe", spec.ReadinessProbe})
	}
	if spec.LivenessProbe != nil {
		out = append(out, specProbe{"livenessProbe", spec.LivenessProbe})
	}
	return out
}

// podNetworkName returns the name of the first network with pod set.
func podNetworkName(spec *v1.VirtualMachineInstanceSpec) string {
	for _, n := range spec.Networks {
		if n.Pod != nil {
			return n.Name
		}
	}
	return ""
}

// podInterface returns the interface attached to the pod network, or nil
// when there is none written down (KubeVirt's implicit default interface
// has no ports list, so it forwards everything).
func podInterface(spec *v1.VirtualMachineInstanceSpec) *v1.Interface {
	name := podNetworkName(spec)
	if name == "" {
		return nil
	}
	for i := range spec.Domain.Devices.Interfaces {
		if spec.Domain.Devices.Interfaces[i].Name == name {
			return &spec.Domain.Devices.Interfaces[i]
		}
	}
	return nil
}

// forwardingBinding names the binding of iface when it forwards only
// listed ports, or returns "".
func forwardingBinding(iface *v1.Interface) string {
	switch {
	case iface.Masquerade != nil:
		return "masquerade"
	case iface.PasstBinding != nil:
		return "passtBinding"
	case iface.DeprecatedPasst != nil:
		return "passt"
	}
	return ""
}

// resolvePort returns the port number a probe port stands for: the number
// itself, or the number of the first interface port with that name.
func resolvePort(spec *v1.VirtualMachineInstanceSpec, port intstr.IntOrString) (int32, bool) {
	if port.Type != intstr.String {
		return port.IntVal, true
	}
	for _, iface := range spec.Domain.Devices.Interfaces {
		for _, p := range iface.Ports {
			if p.Name != "" && p.Name == port.StrVal {
				return p.Port, true
			}
		}
	}
	return 0, false
}

func isTCP(protocol string) bool {
	return protocol == "" || strings.EqualFold(protocol, "TCP")
}

// forwardsTCP reports whether iface's ports or portRanges forward the TCP
// port.
func forwardsTCP(iface *v1.Interface, port int32) bool {
	for _, p := range iface.Ports {
		if isTCP(p.Protocol) && p.Port == port {
			return true
		}
	}
	for _, r := range iface.PortRanges {
		if isTCP(r.Protocol) && r.Start <= port && port <= r.End {
			return true
		}
	}
	return false
}

// describeForwarded lists the TCP ports iface forwards, as "22, 80,
// 8000-8100".
func describeForwarded(iface *v1.Interface) string {
	var parts []string
	for _, p := range iface.Ports {
		if isTCP(p.Protocol) {
			parts = append(parts, strconv.Itoa(int(p.Port)))
		}
	}
	for _, r := range iface.PortRanges {
		if isTCP(r.Protocol) {
			parts = append(parts, fmt.Sprintf("%d-%d", r.Start, r.End))
		}
	}
	if len(parts) == 0 {
		return "UDP ports"
	}
	return strings.Join(parts, ", ")
}

// DeclaredPortNames describes the port names the interfaces declare, for
// an error detail: " (declared: http, metrics)", or that there are none.
func DeclaredPortNames(spec *v1.VirtualMachineInstanceSpec) string {
	var names []string
	for _, iface := range spec.Domain.Devices.Interfaces {
		for _, p := range iface.Ports {
			if p.Name != "" && !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	if len(names) == 0 {
		return " (no interface declares any port names)"
	}
	return " (declared: " + strings.Join(names, ", ") + ")"
}
