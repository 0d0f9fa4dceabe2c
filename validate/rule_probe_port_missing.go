package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-port-missing",
	Fix:      &Fix{None: "the port to probe is known only to the user"},
	Severity: SeverityError,
	Category: CategoryAdmission,
	Summary:  "An httpGet or tcpSocket probe without a port.",
	Description: `KubeVirt's CRD schema requires ` + "`port`" + ` in ` + "`httpGet`" + ` and ` + "`tcpSocket`" + `, so a
probe without one is rejected at admission. Pods have no default port for
probes either; a probe always names the port to connect to, as a number or as
the name of a port declared on one of the VM's interfaces.

A port that is written but out of range (` + "`port: 0`" + `, ` + "`port: 70000`" + `) passes
admission and is reported by ` + "`probe-port-range`" + ` instead.`,
	Remediation: "Add `port:` with the port the guest serves, for example `port: 1500`.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			var out field.ErrorList
			for _, e := range probespec.CheckPortPresent(p, path) {
				if !writtenValue(o, e.Field) {
					out = append(out, e)
				}
			}
			return out
		})
	},
	CEL: &CELRule{NoCEL: "The CRD schema requires the port of httpGet and tcpSocket: the API server rejects an object without one before any admission policy sees it."},
})
