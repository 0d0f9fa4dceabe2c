package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-no-handler",
	Fix:      &Fix{None: "what to check is known only to the user"},
	Severity: SeverityError,
	Category: CategoryAdmission,
	Summary:  "A probe sets none of httpGet, tcpSocket, exec and guestAgentPing.",
	Description: `A probe without a handler (` + "`readinessProbe: {}`" + `, or one with only timing
fields) says nothing about what to check. KubeVirt's admission webhook rejects
it. Its message lists only ` + "`tcpSocket`, `exec` and `httpGet`" + `, but
` + "`guestAgentPing: {}`" + ` is a handler too. A handler misspelled or not supported
by KubeVirt (` + "`grpc`" + `) leaves the probe empty in the same way; the
` + "`unknown-field`" + ` rule reports the key itself.`,
	Remediation: "Add one handler, for example `tcpSocket: {port: 22}` or `guestAgentPing: {}`, or remove the probe.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			return probespec.CheckHasHandler(p, path)
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.NoHandlerMessage, CELValidation{
		Scope:      CELScopeProbe,
		Expression: "size(" + celHandlers + ") > 0",
	})}},
})
