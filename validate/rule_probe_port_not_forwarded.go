package validate

import (
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/internal/yamledit"
	"github.com/vmhealth/vmhealth/internal/yamlpos"
	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-port-not-forwarded",
	Fix:      &Fix{Apply: fixProbePortNotForwarded},
	Severity: SeverityError,
	Category: CategoryRuntime,
	Summary:  "A probe port that the masquerade or passt interface's ports list does not forward to the guest.",
	Description: `The kubelet sends ` + "`httpGet`" + ` and ` + "`tcpSocket`" + ` probes to the virt-launcher pod's
IP. With ` + "`masquerade`" + ` (or ` + "`passt`" + `) binding on the pod network, an interface
that lists ` + "`ports`" + ` forwards only those ports to the guest; every other port
ends at the pod itself, where nothing listens. A probe of such a port fails
forever: the VM never becomes ready, or a liveness probe ends it again and
again. KubeVirt accepts the VM; nothing reports the mistake.

Without a ` + "`ports`" + ` list every port is forwarded. With ` + "`bridge`" + ` binding the
guest owns the pod IP and ` + "`ports`" + ` is informational, so neither is reported. A
named probe port is resolved through the ports the interfaces declare, as the
kubelet does.`,
	Remediation: "Add the probe's port to the `ports` of the pod network's interface, or probe a port that is listed there.",
	Check: func(o *Object, _ Params) field.ErrorList {
		if o.Spec == nil || templatedUnder(o, o.SpecPath.Child("domain", "devices", "interfaces").String()) {
			return nil
		}
		var out field.ErrorList
		for _, u := range probespec.UnforwardedProbePorts(o.Spec) {
			// An impossible port number is probe-port-range's finding.
			if u.Port.Type == intstr.Int && len(validation.IsValidPortNum(int(u.Number))) > 0 {
				continue
			}
			path := o.SpecPath.Child(u.Probe, u.Handler, "port")
			out = append(out, field.Invalid(path, portBadValue(u.Port), u.Message()))
		}
		return out
	},
	CEL: &CELRule{Validations: []CELValidation{CELLetFrom(probespec.NotForwardedMessage, CELValidation{
		Scope: CELScopeNetworkHandler,
		// n is the port number as a list of none or one: a name that no
		// interface declares is probe-named-port-undeclared's finding, an
		// impossible number probe-port-range's.
		Expression: "!has(handler.port) || size(variables.forwardingInterface) == 0 || " +
			"(type(handler.port) == int && (handler.port < 1 || handler.port > 65535)) || " +
			"[type(handler.port) == int ? [int(handler.port)] : handler.port == '' ? [] : " + celNamedPort("handler.port") + "].all(n, size(n) == 0 || " +
			"variables.forwardingInterface[0].?ports.orValue([]).exists(p, " + celIsTCP("p") + " && p.port == n[0]) || " +
			"variables.forwardingInterface[0].?portRanges.orValue([]).exists(r, " + celIsTCP("r") + " && r.start <= n[0] && n[0] <= r.end))",
		Field: "port",
	}, []CELVariable{
		// The port number and the interface, as probespec.UnforwardedPort's
		// Number and Interface.
		{"n", "type(handler.port) == int ? int(handler.port) : " + celNamedPort("handler.port") + "[0]"},
		{"i", "variables.forwardingInterface[0]"},
	}, // the fields of probespec.UnforwardedPort, as its Message gives them
		"type(handler.port) == string", "handler.port", "n", "n",
		"has(i.masquerade) ? 'masquerade' : has(i.passtBinding) ? 'passtBinding' : 'passt'", "i.name",
		// As probespec's description of what the interface forwards.
		"[(i.?ports.orValue([]).filter(p, "+celIsTCP("p")+").map(p, string(p.port)) + "+
			"i.?portRanges.orValue([]).filter(r, "+celIsTCP("r")+").map(r, string(r.start) + '-' + string(r.end))).join(', ')]"+
			".map(s, s == '' ? 'UDP ports' : s)[0]",
		"n")}},
})

// fixProbePortNotForwarded adds {port: N} to the block ports list of the
// pod network's interface, as gen --into does, for a probe port written as
// a number. A named port is left alone: it names a declared port already
// (as UDP, or on another interface), and which one the user meant is a
// guess; so is a ports list written in flow style or missing (portRanges
// only).
func fixProbePortNotForwarded(c *FixContext) (string, error) {
	k, v := c.Entry.Key(), c.Entry.Value()
	if k.Value != "port" || v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" {
		return "", fmt.Errorf("%w: not a port number", ErrNoCertainFix)
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil || len(validation.IsValidPortNum(n)) > 0 {
		return "", fmt.Errorf("%w: not a port number", ErrNoCertainFix)
	}
	specPath := c.Finding.Field
	for _, probe := range []string{".readinessProbe.", ".livenessProbe."} {
		if i := strings.LastIndex(specPath, probe); i >= 0 {
			specPath = specPath[:i]
		}
	}
	if specPath == c.Finding.Field {
		return "", ErrNoCertainFix
	}
	if c.Finding.Object.Path != "" {
		specPath = c.Finding.Object.Path + "." + specPath
	}
	doc := documentOf(c.File, c.Entry.Mapping)
	spec := yamlpos.Resolve(yamlpos.Lookup(doc, specPath))
	iface := podInterfaceNode(spec)
	if iface == nil {
		return "", fmt.Errorf("%w: no pod network interface", ErrNoCertainFix)
	}
	portsKey, ports := mappingEntry(iface, "ports")
	if ports == nil || ports.Kind != yaml.SequenceNode || len(ports.Content) == 0 || ports.Style&yaml.FlowStyle != 0 {
		return "", fmt.Errorf("%w: the interface has no block ports list to extend", ErrNoCertainFix)
	}
	item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "port"},
		{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)},
	}}
	if err := c.File.AppendItem(portsKey, ports, item, yamledit.DetectStyle(doc)); err != nil {
		return "", err
	}
	_, name := mappingEntry(iface, "name")
	return fmt.Sprintf("added {port: %d} to the ports of interface %q", n, name.Value), nil
}

// documentOf returns the document of f whose tree holds n.
func documentOf(f *yamledit.File, n *yaml.Node) *yaml.Node {
	var holds func(at *yaml.Node, depth int) bool
	holds = func(at *yaml.Node, depth int) bool {
		if at == n {
			return true
		}
		if depth > maxFixDepth || at.Kind == yaml.AliasNode {
			return false
		}
		for _, c := range at.Content {
			if holds(c, depth+1) {
				return true
			}
		}
		return false
	}
	for _, d := range f.Docs {
		if holds(d, 0) {
			return d
		}
	}
	return nil
}

// maxFixDepth bounds the walks of a fix over a node tree.
const maxFixDepth = 200

// mappingEntry returns the key and value of name in the mapping m.
func mappingEntry(m *yaml.Node, name string) (key, value *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// podInterfaceNode returns the mapping of the interface on the pod network
// in the VMI spec node, or nil.
func podInterfaceNode(spec *yaml.Node) *yaml.Node {
	_, networks := mappingEntry(spec, "networks")
	if networks == nil || networks.Kind != yaml.SequenceNode {
		return nil
	}
	podName := ""
	for _, nw := range networks.Content {
		if _, pod := mappingEntry(nw, "pod"); pod != nil {
			if _, name := mappingEntry(nw, "name"); name != nil {
				podName = name.Value
			}
		}
	}
	_, domain := mappingEntry(spec, "domain")
	_, devices := mappingEntry(domain, "devices")
	_, ifaces := mappingEntry(devices, "interfaces")
	if podName == "" || ifaces == nil || ifaces.Kind != yaml.SequenceNode {
		return nil
	}
	for _, iface := range ifaces.Content {
		if _, name := mappingEntry(iface, "name"); name != nil && name.Value == podName {
			return iface
		}
	}
	return nil
}
