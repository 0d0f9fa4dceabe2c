package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "liveness-probe-paused",
	Fix:      &Fix{None: "whether to drop the probe or the pause is the user's choice"},
	Severity: SeverityError,
	Category: CategoryAdmission,
	Summary:  "A livenessProbe on a VM that starts paused (startStrategy: Paused).",
	Description: `With ` + "`startStrategy: Paused`" + ` the guest is created paused and runs only when
someone unpauses it. A paused guest cannot answer a liveness probe, which would
end the VM before it ever ran, so KubeVirt's admission webhook rejects a
` + "`livenessProbe`" + ` together with ` + "`startStrategy: Paused`" + `. The check concerns
the livenessProbe only; a readinessProbe is allowed.`,
	Remediation: "Remove `startStrategy: Paused`, or remove the livenessProbe (a readinessProbe is fine).",
	Check: func(o *Object, _ Params) field.ErrorList {
		return probespec.CheckLivenessNotPaused(o.Spec, o.SpecPath)
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.PausedLivenessMessage, CELValidation{
		Expression: "!has(variables.spec.livenessProbe) || variables.spec.?startStrategy.orValue('') != 'Paused'",
		Field:      "startStrategy",
	})}},
})
