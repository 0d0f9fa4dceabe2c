package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-value-below-minimum",
	Fix:      &Fix{None: "the value meant is known only to the user"},
	Severity: SeverityWarning,
	Category: CategoryRuntime,
	Summary:  "A written timeoutSeconds, periodSeconds, successThreshold or failureThreshold of 0 or less.",
	Description: `When KubeVirt creates the VirtualMachineInstance it replaces every
` + "`timeoutSeconds`" + `, ` + "`periodSeconds`" + `, ` + "`successThreshold`" + ` and ` + "`failureThreshold`" + `
below 1 with its default (1, 10, 1 and 3), silently. A written ` + "`0`" + ` or
negative value is accepted, but the probe runs with the default instead:
` + "`failureThreshold: 0`" + ` does not mean "never fail", it means 3. The stored
VirtualMachine keeps the value as written, which hides the difference.

` + "`initialDelaySeconds`" + ` has no default and is not concerned; see
` + "`probe-initial-delay-negative`" + `.`,
	Remediation: "Write the value you mean, 1 or more, or remove the field to get the default.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			written := func(name string) bool { return writtenZero(o, path.Child(name).String(), false) }
			return probespec.CheckThresholdsBelowOneWritten(p, path, written)
		})
	},
	// A field that is written is set: 0 included, which the Go check
	// tells from a missing field by the YAML.
	CEL: &CELRule{Validations: []CELValidation{
		belowMinimumCEL("timeoutSeconds"), belowMinimumCEL("periodSeconds"),
		belowMinimumCEL("successThreshold"), belowMinimumCEL("failureThreshold"),
	}},
})

// belowMinimumCEL is the in-cluster form of the rule for one field.
func belowMinimumCEL(name string) CELValidation {
	return CELFrom(probespec.BelowOneMessage(name), CELValidation{
		Scope:      CELScopeProbe,
		Expression: "probe.?" + name + ".orValue(1) >= 1",
		Field:      name,
	}, "probe."+name)
}
