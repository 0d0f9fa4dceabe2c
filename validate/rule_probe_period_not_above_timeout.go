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
fields that are left out, so ` + "`timeoutSeconds: 10`" + ` alone is reported too.`,
	Remediation: "Make periodSeconds greater than timeoutSeconds, for example periodSeconds: 20 with timeoutSeconds: 10.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			if templatedTiming(o, path, "periodSeconds", "timeoutSeconds") {
				return nil
			}
			return probespec.CheckPeriodExceedsTimeout(p, path)
		})
	},
	CEL: &CELRule{Validations: []CELValidation{{
		Scope: CELScopeProbe,
		Expression: celDefaulted("periodSeconds", probespec.DefaultPeriodSeconds) + " > " +
			celDefaulted("timeoutSeconds", probespec.DefaultTimeoutSeconds),
		Field:           "periodSeconds",
		FieldExpression: "probe.?periodSeconds.orValue(0) != 0 ? 'periodSeconds' : 'timeoutSeconds'",
		Message:         "periodSeconds must be greater than timeoutSeconds; raise periodSeconds or lower timeoutSeconds",
		MessageExpression: "'periodSeconds (' + string(" + celDefaulted("periodSeconds", probespec.DefaultPeriodSeconds) + ") + " +
			"') must be greater than timeoutSeconds (' + string(" + celDefaulted("timeoutSeconds", probespec.DefaultTimeoutSeconds) + ") + ')' + " +
			"(probe.?periodSeconds.orValue(0) != 0 ? '; raise periodSeconds or lower timeoutSeconds' : " +
			"' (periodSeconds defaults to " + strconv.Itoa(probespec.DefaultPeriodSeconds) + "); lower timeoutSeconds or set periodSeconds')",
	}}},
})
