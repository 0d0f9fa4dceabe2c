package validate

import (
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "liveness-kills-before-boot",
	Fix:      &Fix{None: "how long the guest needs to boot is known only to the user"},
	Severity: SeverityWarning,
	Category: CategoryBestPractice,
	Summary:  "A livenessProbe that can end the VM before its guest has had time to boot.",
	Description: `A liveness probe cannot tell a guest that is still booting from one that has
hung. The earliest moment it can end the VM, counted from the start of the
virt-launcher pod, is

    initialDelaySeconds + 10 + (failureThreshold - 1) × periodSeconds + timeoutSeconds

(KubeVirt adds 10 s to the initial delay, and 1 s to the timeout of ` + "`exec`" + ` and
` + "`guestAgentPing`" + ` probes; defaults apply to fields left out). With the
defaults and no initial delay that is 31 s. If the guest needs longer to boot
and start the service the probe checks, the VM is ended while booting, and
with ` + "`runStrategy: Always`" + ` started again into the same race, forever.

The boot time assumed is 60 s, which library users can change with
` + "`Options.MinBootSeconds`" + `. A readiness probe has no such risk: failing
while the guest boots only delays Ready.`,
	Remediation: "Raise initialDelaySeconds (the finding names a value that is enough), or periodSeconds or failureThreshold, so the probe can fail only after the guest has booted.",
	Check: func(o *Object, opts *Options) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, liveness bool) field.ErrorList {
			if !liveness || !hasOneHandler(p) || templatedTiming(o, path, "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold") {
				return nil
			}
			return probespec.CheckLivenessBootWindow(p, path, time.Duration(opts.MinBootSeconds)*time.Second)
		})
	},
})
