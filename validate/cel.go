package validate

import (
	"fmt"
	"strings"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
)

// CELRule is a rule's form as CEL, the expression language of Kubernetes'
// ValidatingAdmissionPolicy: package policy turns it into validations that
// the API server enforces when a VM is created or updated. A rule has
// either Validations or NoCEL.
//
// The expressions sit in the rule's own file, next to its Go check, and a
// parity test runs both over the same fixtures against a real API server,
// so the two forms cannot drift apart unnoticed.
type CELRule struct {
	// Validations must all hold for an object to pass. Each stands for one
	// kind of finding of the Go check, on one field.
	Validations []CELValidation
	// NoCEL says why the rule cannot be enforced by a policy, for example
	// because it needs other objects of the file or the API server already
	// rejects what it reports.
	NoCEL string
}

// CELScope says which part of the VMI spec a CELValidation is written over,
// and so which names its expressions may use.
//
// Every scope sees what a ValidatingAdmissionPolicy offers (object,
// oldObject, request, …) and these variables:
//
//   - variables.spec: the VMI spec (a VirtualMachine's spec.template.spec,
//     a pool's spec.virtualMachineTemplate.spec.template.spec); objects
//     without one are not checked.
//   - variables.arch: spec.architecture, or the cluster's default
//     architecture given to the policy (amd64 unless told otherwise).
//   - the shared variables of CELVariables.
//
// Fields that may be absent must be guarded with has() or read with
// optional selection (x.?field.orValue(default)): the policy compiles
// against the CRD's schema, but an absent field is an error at run time.
type CELScope string

const (
	// CELScopeSpec checks the VMI spec once; Field is relative to it.
	CELScopeSpec CELScope = "spec"
	// CELScopeProbe checks each of readinessProbe and livenessProbe that is
	// set, bound to the name probe; probeName is "readinessProbe" or
	// "livenessProbe". Field is relative to the probe.
	CELScopeProbe CELScope = "probe"
	// CELScopeLivenessProbe is CELScopeProbe for the livenessProbe alone.
	CELScopeLivenessProbe CELScope = "livenessProbe"
	// CELScopeNetworkHandler checks each httpGet and tcpSocket handler of
	// each probe, bound to the name handler, with probe and probeName as in
	// CELScopeProbe and handlerName "httpGet" or "tcpSocket". Field is
	// relative to the handler.
	CELScopeNetworkHandler CELScope = "networkHandler"
)

// CELValidation is one check of a rule in CEL.
type CELValidation struct {
	// Scope is what the expressions are written over; empty means
	// CELScopeSpec.
	Scope CELScope
	// Expression is true when the object passes.
	Expression string
	// Field is the path of the offending field below the scope, as lint
	// reports it ("successThreshold", "httpGet.scheme"); empty means the
	// scope itself (the probe, the handler).
	Field string
	// FieldExpression, when set, computes Field as a CEL string, for rules
	// that report on one field or another depending on the values. Field
	// is then the one the static Message is shown with.
	FieldExpression string
	// Message is lint's message without the offending values. The policy
	// shows it when MessageExpression is empty or fails.
	Message string
	// MessageExpression is a CEL string: lint's message, word for word,
	// with the offending values.
	MessageExpression string
	// From is the rule's Message that Message and MessageExpression were
	// made from (CELFrom). Every validation of a registered rule has
	// one (TestRuleMessagesAgree); nil is a message written out by hand.
	From *Message
	// made is the MessageExpression that From made, so that a test can
	// tell one changed by hand afterwards.
	made string
}

// InCluster reports whether a ValidatingAdmissionPolicy can enforce the
// rule: it has a CEL form.
func (r *Rule) InCluster() bool {
	return r.CEL != nil && len(r.CEL.Validations) > 0
}

// CELVariable is a value that a policy computes once per object and that
// rules read as variables.<Name>.
type CELVariable struct {
	Name       string
	Expression string
}

// CELVariables are the variables rules share, in the order a policy must
// declare them (each may use the ones before it). They are written over
// variables.spec.
var CELVariables = []CELVariable{
	{"networks", "variables.spec.?networks.orValue([])"},
	{"interfaces", "variables.spec.?domain.?devices.?interfaces.orValue([])"},
	// As probespec.HasPodNetwork: a network with pod set, or no networks
	// and no interfaces, when KubeVirt adds the pod network itself.
	{"hasPodNetwork", "variables.networks.exists(n, has(n.pod)) || " +
		"(size(variables.networks) == 0 && size(variables.interfaces) == 0 && " +
		"variables.spec.?domain.?devices.?autoattachPodInterface.orValue(true))"},
	// The interfaces attached to the first pod network; the first of
	// them is the one probespec's checks look at.
	{"podInterfaces", "variables.networks.exists(n, has(n.pod)) ? " +
		"variables.interfaces.filter(i, i.name == variables.networks.filter(n, has(n.pod))[0].name) : []"},
	// The pod network's interface when it forwards only the ports it lists
	// (masquerade or passt with ports or portRanges): a list of none or one.
	{"forwardingInterface", "size(variables.podInterfaces) > 0 && " +
		"(size(variables.podInterfaces[0].?ports.orValue([])) > 0 || size(variables.podInterfaces[0].?portRanges.orValue([])) > 0) && " +
		"(has(variables.podInterfaces[0].masquerade) || has(variables.podInterfaces[0].passtBinding) || has(variables.podInterfaces[0].passt)) ? " +
		"[variables.podInterfaces[0]] : []"},
	// The names of the interfaces' ports, in order, as one string.
	{"portNames", "variables.interfaces.map(i, i.?ports.orValue([]).filter(p, p.?name.orValue('') != '')" +
		".map(p, p.name).join(', ')).filter(s, s != '').join(', ')"},
}

// The snippets below are CEL shared by the rules' validations.

// The watchdog, at kubevirtkinds.WatchdogPath: watchdogField is its field
// path below the VMI spec, celWatchdog selects it (for expressions that
// know it is set), celWatchdogOpt selects it optionally, for .hasValue()
// or a further .?field.
var (
	watchdogField  = strings.Join(kubevirtkinds.WatchdogPath, ".")
	celWatchdog    = "variables.spec." + watchdogField
	celWatchdogOpt = "variables.spec.?" + strings.Join(kubevirtkinds.WatchdogPath, ".?")
)

// celHandlers lists the handlers set on probe, in probespec.Handlers' order.
const celHandlers = "(has(probe.httpGet) ? ['httpGet'] : []) + (has(probe.tcpSocket) ? ['tcpSocket'] : []) + " +
	"(has(probe.exec) ? ['exec'] : []) + (has(probe.guestAgentPing) ? ['guestAgentPing'] : [])"

// celJoinAnd joins the strings of list as "a", "a and b" or "a, b and c".
func celJoinAnd(list string) string {
	return fmt.Sprintf("[(%s).join(', ')].map(s, s.lastIndexOf(', ') < 0 ? s : "+
		"s.substring(0, s.lastIndexOf(', ')) + ' and ' + s.substring(s.lastIndexOf(', ') + 2))[0]", list)
}

// celValidPortName is true when the string s is a valid IANA service name,
// as validation.IsValidPortName requires.
func celValidPortName(s string) string {
	return strings.ReplaceAll("(size($s) <= 15 && $s.matches('^[-a-z0-9]+$') && $s.matches('[a-z]') && "+
		"!$s.contains('--') && !$s.startsWith('-') && !$s.endsWith('-'))", "$s", s)
}

// celPortNameErrors gives validation.IsValidPortName's complaints about the
// string s, joined with "; ".
func celPortNameErrors(s string) string {
	return strings.ReplaceAll("[size($s) > 15 ? 'must be no more than 15 characters' : '', "+
		"!$s.matches('^[-a-z0-9]+$') ? 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)' : '', "+
		"!$s.matches('[a-z]') ? 'must contain at least one letter (a-z)' : '', "+
		"$s.contains('--') ? 'must not contain consecutive hyphens' : '', "+
		"$s.startsWith('-') || $s.endsWith('-') ? 'must not begin or end with a hyphen' : ''"+
		"].filter(m, m != '').join('; ')", "$s", s)
}

// celNamedPort is the number of the first interface port called name, as a
// list of none or one.
func celNamedPort(name string) string {
	return strings.ReplaceAll("variables.interfaces.filter(i, i.?ports.orValue([]).exists(p, p.?name.orValue('') == $n))"+
		".map(i, i.ports.filter(p, p.?name.orValue('') == $n)[0].port)", "$n", name)
}

// celIsTCP is true when the port or port range p carries TCP.
func celIsTCP(p string) string {
	return strings.ReplaceAll("($p.?protocol.orValue('') == '' || $p.protocol.lowerAscii() == 'tcp')", "$p", p)
}

// celDefaulted is the probe's field name as KubeVirt defaults it: a value
// below 1, or none, becomes def (see probespec.Defaulted).
func celDefaulted(name string, def int) string {
	return fmt.Sprintf("(probe.?%[1]s.orValue(0) >= 1 ? probe.%[1]s : %[2]d)", name, def)
}

// celIn is true when expr, a string, is one of the values.
func celIn(expr string, values ...[]string) string {
	var quoted []string
	for _, vs := range values {
		for _, v := range vs {
			quoted = append(quoted, "'"+v+"'")
		}
	}
	return expr + " in [" + strings.Join(quoted, ", ") + "]"
}
