package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "liveness-success-threshold",
	Fix:      &Fix{Apply: fixLivenessSuccessThreshold},
	Severity: SeverityError,
	Category: CategoryLauncher,
	Summary:  "A livenessProbe with successThreshold other than 1.",
	Description: `Kubernetes requires ` + "`successThreshold: 1`" + ` for a liveness probe: one success
is all it takes to be alive again. KubeVirt does not check this; it accepts the
VM and copies the probe onto the virt-launcher pod, which Kubernetes pod
validation then rejects, so the VM never starts. A readiness probe may have a
higher successThreshold.`,
	Remediation: "Remove successThreshold from the livenessProbe or set it to 1.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, liveness bool) field.ErrorList {
			if !liveness {
				return nil
			}
			errs := probespec.CheckLivenessSuccessThreshold(p, path)
			for i, e := range errs {
				errs[i] = withDetail(e, livenessSuccessMessage.Text(p.SuccessThreshold))
			}
			return errs
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(livenessSuccessMessage, CELValidation{
		Scope:      CELScopeLivenessProbe,
		Expression: "probe.?successThreshold.orValue(1) <= 1",
		Field:      "successThreshold",
	}, "probe.successThreshold")}},
})

var livenessSuccessMessage = Msg(Val("successThreshold is %d, but a liveness probe must have 1", "a liveness probe must have successThreshold 1"),
	": Kubernetes rejects the virt-launcher pod, so the VM never starts")

// fixLivenessSuccessThreshold removes successThreshold from a liveness
// probe: 1, the only value allowed, is also the default.
func fixLivenessSuccessThreshold(c *FixContext) (string, error) {
	if c.Entry.Key().Value != "successThreshold" {
		return "", ErrNoCertainFix
	}
	if err := c.File.DeleteEntry(c.Entry); err != nil {
		return "", err
	}
	return "removed successThreshold from the liveness probe", nil
}
