package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-initial-delay-negative",
	Fix:      &Fix{None: "the delay meant is known only to the user"},
	Severity: SeverityError,
	Category: CategoryLauncher,
	Summary:  "A probe's initialDelaySeconds below -10.",
	Description: `KubeVirt adds 10 seconds to the ` + "`initialDelaySeconds`" + ` of every probe when it
copies the probe onto the virt-launcher pod, for the time libvirt needs to
start the domain. Kubernetes requires the pod's value to be 0 or more, so
anything below -10 makes Kubernetes reject the virt-launcher pod and the VM
never starts. KubeVirt itself accepts the VM. Values from -10 to -1 are
accepted by both but only shorten the delay KubeVirt adds
(` + "`probe-initial-delay-shortened`" + ` warns about them).`,
	Remediation: "Set initialDelaySeconds to 0 or more: the time the guest needs to boot and start the service the probe checks.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			errs := probespec.CheckInitialDelay(p, path)
			for i, e := range errs {
				errs[i] = withDetail(e, initialDelayNegativeMessage.Text(p.InitialDelaySeconds, p.InitialDelaySeconds+probespec.LauncherInitialDelayOffset))
			}
			return errs
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(initialDelayNegativeMessage, CELValidation{
		Scope:      CELScopeProbe,
		Expression: fmt.Sprintf("probe.?initialDelaySeconds.orValue(0) >= -%d", probespec.LauncherInitialDelayOffset),
		Field:      "initialDelaySeconds",
	}, "probe.initialDelaySeconds", fmt.Sprintf("probe.initialDelaySeconds + %d", probespec.LauncherInitialDelayOffset))}},
})

var initialDelayNegativeMessage = Msg(Val("initialDelaySeconds %d", "initialDelaySeconds"),
	fmt.Sprintf(" is below -%d: KubeVirt adds %d s, and Kubernetes rejects the virt-launcher pod's negative delay",
		probespec.LauncherInitialDelayOffset, probespec.LauncherInitialDelayOffset),
	Val(" of %d s", ""))
