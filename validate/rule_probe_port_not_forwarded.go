package validate

import (
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-port-not-forwarded",
	Fix:      &Fix{None: "not yet: gen --into extends the masquerade ports list, lint --fix does not do it yet"},
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
	Check: func(o *Object, _ *Options) field.ErrorList {
		if o.Spec == nil || templatedUnder(o, o.SpecPath.Child("domain", "devices", "interfaces").String()) {
			return nil
		}
		var out field.ErrorList
		for _, e := range probespec.CheckMasqueradeForwardsProbePorts(o.Spec, o.SpecPath) {
			// An impossible port number is probe-port-range's finding.
			if n, ok := e.BadValue.(int32); ok && len(validation.IsValidPortNum(int(n))) > 0 {
				continue
			}
			out = append(out, e)
		}
		return out
	},
	CEL: &CELRule{Validations: []CELValidation{{
		Scope: CELScopeNetworkHandler,
		// n is the port number as a list of none or one: a name that no
		// interface declares is probe-named-port-undeclared's finding, an
		// impossible number probe-port-range's.
		Expression: "!has(handler.port) || size(variables.forwardingInterface) == 0 || " +
			"(type(handler.port) == int && (handler.port < 1 || handler.port > 65535)) || " +
			"[type(handler.port) == int ? [int(handler.port)] : handler.port == '' ? [] : " + celNamedPort("handler.port") + "].all(n, size(n) == 0 || " +
			"variables.forwardingInterface[0].?ports.orValue([]).exists(p, " + celIsTCP("p") + " && p.port == n[0]) || " +
			"variables.forwardingInterface[0].?portRanges.orValue([]).exists(r, " + celIsTCP("r") + " && r.start <= n[0] && n[0] <= r.end))",
		Field:   "port",
		Message: "the probe's port is not forwarded to the guest: the pod network's interface forwards only the ports it lists; add the port to its ports",
		MessageExpression: "[type(handler.port) == int ? int(handler.port) : " + celNamedPort("handler.port") + "[0]].map(n, " +
			"[variables.forwardingInterface[0]].map(i, 'port ' + " +
			"(type(handler.port) == string ? strings.quote(handler.port) + ' (' + string(n) + ')' : string(n)) + " +
			"' is not forwarded to the guest: the ' + (has(i.masquerade) ? 'masquerade' : has(i.passtBinding) ? 'passtBinding' : 'passt') + " +
			"' interface ' + strings.quote(i.name) + ' forwards only ' + " +
			"[(i.?ports.orValue([]).filter(p, " + celIsTCP("p") + ").map(p, string(p.port)) + " +
			"i.?portRanges.orValue([]).filter(r, " + celIsTCP("r") + ").map(r, string(r.start) + '-' + string(r.end))).join(', ')]" +
			".map(s, s == '' ? 'UDP ports' : s)[0] + '; add {port: ' + string(n) + '} to its ports')[0])[0]",
	}}},
})
