package validate

import (
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-port-not-forwarded",
	Severity: SeverityError,
	Category: CategoryRuntime,
	Summary:  "A probe port that the masquerade or passt interface's ports list does not forward to the guest.",
	Description: `The kubelet sends ` + "`httpGet`" + ` and ` + "`tcpSocket`" + ` probes to the virt-launcher pod's
IP. With ` + "`masquerade`" + ` (or ` + "`passt`" + `) binding on the pod network, an interface
that lists ` + "`ports`" + ` forwards only those ports to the guest; every other port
ends at the pod itself, where nothing listens. A probe of such a port fails
forever: the VM never becomes ready, or a liveness probe ends it again and
again. KubeVirt accepts the VM; nothing reports the mistake.

Without a ` + "`ports`" + ` list every port is forwarded. With ` + "`bridge`" + ` binding the
guest owns the pod IP and ` + "`ports`" + ` is informational, so neither is reported. A
named probe port is resolved through the ports the interfaces declare, as the
kubelet does.`,
	Remediation: "Add the probe's port to the `ports` of the pod network's interface, or probe a port that is listed there.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		if o.Spec == nil || templatedUnder(o, o.SpecPath.Child("domain", "devices", "interfaces").String()) {
			return nil
		}
		var out field.ErrorList
		for _, e := range probespec.CheckMasqueradeForwardsProbePorts(o.Spec, o.SpecPath) {
			// An impossible port number is probe-port-range's finding.
			if n, ok := e.BadValue.(int32); ok && len(validation.IsValidPortNum(int(n))) > 0 {
				continue
			}
			out = append(out, e)
		}
		return out
	},
})
