package validate

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
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
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			var out field.ErrorList
			for _, e := range probespec.CheckPortRange(p, path) {
				out = append(out, portRangeError(e.Field, e.BadValue))
			}
			// CheckPortRange leaves 0 and "" to probe-port-missing, but a
			// written 0 satisfies the schema: only the pod is rejected.
			for _, pp := range probePorts(p, path) {
				if pp.port.IntVal == 0 && pp.port.StrVal == "" && writtenZero(o, pp.path.String(), true) {
					out = append(out, portRangeError(pp.path.String(), portBadValue(pp.port)))
				}
			}
			return out
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(portRangeMessage, CELValidation{
		Scope: CELScopeNetworkHandler,
		Expression: "!has(handler.port) || (type(handler.port) == string ? " + celValidPortName("handler.port") +
			" : handler.port >= 1 && handler.port <= 65535)",
		Field: "port",
	}, "type(handler.port) == string", "handler.port == ''", "handler.port", celPortNameErrors("handler.port"),
		"handler.port.matches('^[+-]?[0-9]+$')", "handler.port")}},
})

// portRangeMessage takes whether the port is a name, whether it is empty,
// the name, validation.IsValidPortName's complaints about it joined with
// "; ", whether it is a number in quotes, and the number.
var portRangeMessage = Msg(
	Either("the port must be a number from 1 to 65535 or a valid port name",
		Either("", "an empty port name is not valid",
			Msg(Val("%q", ""), " is not a valid port name: ", Val("%s", ""), When(probespec.QuotedPortMessage))),
		Msg("port ", Val("%v", ""), " is outside 1-65535")),
	"; KubeVirt accepts the VM, but Kubernetes rejects its virt-launcher pod")

// portRangeError is the finding on the port at path whose value bad, a
// number or a name, the launcher pod rejects.
func portRangeError(path string, bad any) *field.Error {
	name, named := bad.(string)
	_, err := strconv.Atoi(name)
	return &field.Error{Type: field.ErrorTypeInvalid, Field: path, BadValue: bad, Detail: portRangeMessage.Text(
		named, name == "", name, strings.Join(validation.IsValidPortName(name), "; "), named && err == nil, bad)}
}

// portBadValue is the port as written, a number or a name, as a field
// error's bad value.
func portBadValue(port intstr.IntOrString) any {
	if port.Type == intstr.String {
		return port.StrVal
	}
	return port.IntVal
}
