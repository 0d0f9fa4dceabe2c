package validate

import (
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-period-not-above-timeout",
	Fix:      &Fix{None: "whether the period or the timeout is wrong is a guess"},
	Severity: SeverityError,
	Category: CategoryRuntime,
	Summary:  "A probe whose periodSeconds is not greater than its timeoutSeconds.",
	Description: `The OpenShift Virtualization documentation on VM health checks states that
` + "`periodSeconds`" + ` must be greater than ` + "`timeoutSeconds`" + `. With a period no longer
than the timeout, the next probe is due before a hanging one has timed out.
The kubelet runs each probe's checks one after another, so a check that hangs
until its timeout delays the next: the probe runs back to back instead of
every ` + "`periodSeconds`" + `, and the time to notice a hung guest follows the
timeout rather than the period the manifest shows. Neither KubeVirt nor
Kubernetes rejects it; vmhealth's stanza generator (` + "`gen`" + `) refuses to
write it.

The comparison uses KubeVirt's defaults (period 10 s, timeout 1 s) for
fields that are left out, so ` + "`timeoutSeconds: 10`" + ` alone is reported too.
It uses the timeout the probe really runs with: KubeVirt wraps ` + "`exec`" + ` and
` + "`guestAgentPing`" + ` probes in virt-probe and gives them ` + "`timeoutSeconds`" + ` + 1 in
the virt-launcher pod, so an exec probe with ` + "`periodSeconds: 6`" + ` and
` + "`timeoutSeconds: 5`" + ` runs with period 6 and timeout 6, and is reported; the
message says so. ` + "`gen`" + ` refuses such a stanza for the same reason.`,
	Remediation: "Make periodSeconds greater than timeoutSeconds, for example periodSeconds: 20 with timeoutSeconds: 10.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			if templatedTiming(o, path, "periodSeconds", "timeoutSeconds") {
				return nil
			}
			return probespec.CheckPeriodExceedsTimeout(p, path)
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.PeriodTimeoutMessage, CELValidation{
		Scope:           CELScopeProbe,
		Expression:      celPeriod + " > " + celEffectiveTimeout,
		Field:           "periodSeconds",
		FieldExpression: celPeriodWritten + " ? 'periodSeconds' : 'timeoutSeconds'",
	}, // the fields of probespec.PeriodTimeout, as its Message gives them
		celPeriod, celGuestExec, "(has(probe.exec) ? 'exec' : 'guestAgentPing')", celEffectiveTimeout, celTimeout, celPeriodWritten)}},
})

var (
	celPeriod  = celDefaulted("periodSeconds", probespec.DefaultPeriodSeconds)
	celTimeout = celDefaulted("timeoutSeconds", probespec.DefaultTimeoutSeconds)
	// celGuestExec is true for the handlers that KubeVirt runs through
	// virt-probe, with timeoutSeconds + 1.
	celGuestExec        = "(has(probe.exec) || has(probe.guestAgentPing))"
	celEffectiveTimeout = "(" + celTimeout + " + (" + celGuestExec + " ? " + strconv.Itoa(probespec.GuestExecTimeoutOffset) + " : 0))"
	celPeriodWritten    = "probe.?periodSeconds.orValue(0) != 0"
)
