package validate

import (
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-named-port-undeclared",
	Fix:      &Fix{None: "the port number the name should stand for is known only to the user"},
	Severity: SeverityError,
	Category: CategoryRuntime,
	Summary:  "A probe port given by a name that no interface declares.",
	Description: `A probe may name its port (` + "`port: http`" + `) instead of giving the number. The
kubelet resolves the name through the container ports of the virt-launcher
pod, and KubeVirt fills those from the ` + "`ports`" + ` of the VM's interfaces. A name
that no ` + "`interfaces[].ports[].name`" + ` declares cannot be resolved, so the probe
fails every time: the VM never becomes ready, or its liveness probe ends it
again and again. KubeVirt accepts the VM.

A name that is not a valid port name at all (a quoted number such as
` + "`\"1500\"`" + `) is reported by ` + "`probe-port-range`" + ` instead.`,
	Remediation: "Declare the port on the pod network's interface (`ports: [{name: http, port: 8080}]`), or probe the port by number.",
	Check: func(o *Object, _ Params) field.ErrorList {
		if o.Spec == nil || templatedUnder(o, o.SpecPath.Child("domain", "devices", "interfaces").String()) {
			return nil
		}
		var out field.ErrorList
		for _, e := range probespec.CheckNamedPortDeclared(o.Spec, o.SpecPath) {
			name, _ := e.BadValue.(string)
			if len(validation.IsValidPortName(name)) > 0 {
				continue
			}
			out = append(out, e)
		}
		return out
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.NamedPortUndeclaredMessage, CELValidation{
		Scope: CELScopeNetworkHandler,
		// An invalid name is probe-port-range's finding.
		Expression: "!has(handler.port) || type(handler.port) != string || handler.port == '' || !" +
			celValidPortName("handler.port") + " || size(" + celNamedPort("handler.port") + ") > 0",
		Field: "port",
	}, "handler.port",
		// As probespec.DeclaredPortNames.
		"(variables.portNames == '' ? ' (no interface declares any port names)' : ' (declared: ' + variables.portNames + ')')",
		"handler.port")}},
})
