package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-port-range",
	Fix:      &Fix{None: "the port meant is known only to the user"},
	Severity: SeverityError,
	Category: CategoryLauncher,
	Summary:  "A probe port outside 1–65535, or a port name Kubernetes does not accept.",
	Description: `KubeVirt does not check the port of an ` + "`httpGet`" + ` or ` + "`tcpSocket`" + ` probe: it
accepts the VM and copies the probe onto the virt-launcher pod's compute
container. Kubernetes pod validation then rejects the pod when the port is a
number outside 1–65535 (` + "`0`" + ` included) or a name that is not a valid
IANA service name (at most 15 lowercase letters, digits and hyphens, with at
least one letter). The VM is created but never starts, and the reason shows
only in the events of its VirtualMachineInstance.

A quoted number (` + "`port: \"1500\"`" + `) is a name, not a number, and is rejected
the same way.`,
	Remediation: "Use a port number from 1 to 65535 without quotes, or the name of a port declared in the interface's `ports`.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			var out field.ErrorList
			for _, e := range probespec.CheckPortRange(p, path) {
				out = append(out, withDetail(e, portRangeDetail(e.BadValue, e.Detail)))
			}
			// CheckPortRange leaves 0 and "" to probe-port-missing, but a
			// written 0 satisfies the schema: only the pod is rejected.
			for _, pp := range probePorts(p, path) {
				if pp.port.IntVal == 0 && pp.port.StrVal == "" && writtenZero(o, pp.path.String(), true) {
					bad := any(pp.port.IntVal)
					if pp.port.Type == intstr.String {
						bad = ""
					}
					out = append(out, field.Invalid(pp.path, bad, portRangeDetail(bad, "")))
				}
			}
			return out
		})
	},
	CEL: &CELRule{Validations: []CELValidation{{
		Scope: CELScopeNetworkHandler,
		Expression: "!has(handler.port) || (type(handler.port) == string ? " + celValidPortName("handler.port") +
			" : handler.port >= 1 && handler.port <= 65535)",
		Field:   "port",
		Message: "the port must be a number from 1 to 65535 or a valid port name; KubeVirt accepts the VM, but Kubernetes rejects its virt-launcher pod",
		MessageExpression: "(type(handler.port) == string ? " +
			"(handler.port == '' ? 'an empty port name is not valid' : strings.quote(handler.port) + ' is not a valid port name: ' + " +
			celPortNameErrors("handler.port") + " + (handler.port.matches('^[+-]?[0-9]+$') ? '; write the port number without quotes' : '')) : " +
			"'port ' + string(handler.port) + ' is outside 1-65535') + '; KubeVirt accepts the VM, but Kubernetes rejects its virt-launcher pod'",
	}}},
})

// portRangeDetail says why the launcher pod rejects the port bad, a
// number or a name; detail is probespec's reason for a name.
func portRangeDetail(bad any, detail string) string {
	const rejected = "; KubeVirt accepts the VM, but Kubernetes rejects its virt-launcher pod"
	switch v := bad.(type) {
	case string:
		if v == "" {
			return "an empty port name is not valid" + rejected
		}
		return fmt.Sprintf("%q is %s%s", v, detail, rejected)
	default:
		return fmt.Sprintf("port %v is outside 1-65535%s", v, rejected)
	}
}
