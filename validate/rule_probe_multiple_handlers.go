package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-multiple-handlers",
	Fix:      &Fix{None: "which handler to keep is the user's choice"},
	Severity: SeverityError,
	Category: CategoryAdmission,
	Summary:  "A probe sets more than one of httpGet, tcpSocket, exec and guestAgentPing.",
	Description: `A readiness or liveness probe runs exactly one check. KubeVirt's admission
webhook rejects a probe that sets two or more of ` + "`httpGet`, `tcpSocket`, `exec`" + `
and ` + "`guestAgentPing`" + ` ("must have exactly one probe type set"), so the
VirtualMachine or VirtualMachineInstance is never created. This often happens
when a probe is edited from one kind into another and the old handler is left
behind.`,
	Remediation: "Keep the one handler that checks what you care about and delete the others.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			return probespec.CheckSingleHandler(p, path)
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.MultipleHandlersMessage, CELValidation{
		Scope:      CELScopeProbe,
		Expression: "size(" + celHandlers + ") <= 1",
	}, celJoinAnd(celHandlers))}},
})
