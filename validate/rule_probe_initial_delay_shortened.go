package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-initial-delay-shortened",
	Fix:      &Fix{None: "the delay meant (0, or 10 s more) is the user's to choose"},
	Severity: SeverityWarning,
	Category: CategoryRuntime,
	Summary:  "A probe's initialDelaySeconds from -10 to -1, which only eats into the delay KubeVirt adds.",
	Description: `Kubernetes forbids a negative ` + "`initialDelaySeconds`" + `. A value from -10 to -1
is accepted on a VM only because KubeVirt adds 10 seconds to every probe's
delay when it copies the probe onto the virt-launcher pod (the time libvirt
needs to start the domain): -4 becomes 6 on the pod. The VM starts, but the
probe begins before the domain is up, and the manifest relies on an
offset that is KubeVirt's implementation detail, not its API. Below -10 the
pod is rejected (` + "`probe-initial-delay-negative`" + `).`,
	Remediation: "Set initialDelaySeconds to 0 or more: the time the guest needs to boot and start the service the probe checks.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			d := p.InitialDelaySeconds
			if d >= 0 || d < -probespec.LauncherInitialDelayOffset {
				return nil
			}
			return field.ErrorList{field.Invalid(path.Child("initialDelaySeconds"), d,
				fmt.Sprintf("initialDelaySeconds %d works only because KubeVirt adds %d s on the virt-launcher pod (%d s there); Kubernetes forbids negative delays, so write the delay you mean, 0 or more",
					d, probespec.LauncherInitialDelayOffset, d+probespec.LauncherInitialDelayOffset))}
		})
	},
})
