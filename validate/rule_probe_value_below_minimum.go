package validate

import (
	"fmt"
	"strings"

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
			errs := probespec.CheckThresholdsBelowOneWritten(p, path, written)
			for i, e := range errs {
				name := e.Field[strings.LastIndexByte(e.Field, '.')+1:]
				errs[i] = withDetail(e, belowMinimumMessage(name).Text(e.BadValue))
			}
			return errs
		})
	},
	// A field that is written is set: 0 included, which the Go check
	// tells from a missing field by the YAML.
	CEL: &CELRule{Validations: []CELValidation{
		belowMinimumCEL("timeoutSeconds"), belowMinimumCEL("periodSeconds"),
		belowMinimumCEL("successThreshold"), belowMinimumCEL("failureThreshold"),
	}},
})

// probeDefault is KubeVirt's default for a probe field below 1.
func probeDefault(name string) int {
	switch name {
	case "timeoutSeconds":
		return probespec.DefaultTimeoutSeconds
	case "periodSeconds":
		return probespec.DefaultPeriodSeconds
	case "successThreshold":
		return probespec.DefaultSuccessThreshold
	}
	return probespec.DefaultFailureThreshold
}

// belowMinimumMessage is the rule's message for the field name.
func belowMinimumMessage(name string) *Message {
	return Msg(name+": ", Val("%v", "the value"),
		fmt.Sprintf(" is below 1, and KubeVirt silently replaces it by the default %d; write 1 or more, or remove it", probeDefault(name)))
}

// belowMinimumCEL is the in-cluster form of the rule for one field.
func belowMinimumCEL(name string) CELValidation {
	return CELFrom(belowMinimumMessage(name), CELValidation{
		Scope:      CELScopeProbe,
		Expression: "probe.?" + name + ".orValue(1) >= 1",
		Field:      name,
	}, "probe."+name)
}
