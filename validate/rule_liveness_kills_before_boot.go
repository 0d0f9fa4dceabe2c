package validate

import (
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

// LivenessBootRuleID is the rule that compares a liveness probe with the
// guest's boot time.
const LivenessBootRuleID = "liveness-kills-before-boot"

// MinBootSecondsParam is its parameter: the seconds a guest is assumed to
// need to boot.
const MinBootSecondsParam = "minBootSeconds"

var _ = mustRegister(&Rule{
	ID:       LivenessBootRuleID,
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

The boot time assumed is 60 s; set it with the rule's ` + "`minBootSeconds`" + `
parameter (` + "`--min-boot-seconds`" + `, or ` + "`rules.liveness-kills-before-boot.params.minBootSeconds`" + `
in the configuration file). A readiness probe has no such risk: failing
while the guest boots only delays Ready.`,
	Remediation: "Raise initialDelaySeconds (the finding names a value that is enough), or periodSeconds or failureThreshold, so the probe can fail only after the guest has booted.",
	Params: []Param{{Name: MinBootSecondsParam, Default: probespec.DefaultMinBootSeconds, Min: 1, Max: 86400,
		Description: "seconds a guest is assumed to need to boot"}},
	Check: func(o *Object, params Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, liveness bool) field.ErrorList {
			if !liveness || !hasOneHandler(p) || templatedTiming(o, path, "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold") {
				return nil
			}
			return probespec.CheckLivenessBootWindow(p, path, time.Duration(params.Int(MinBootSecondsParam))*time.Second)
		})
	},
})
