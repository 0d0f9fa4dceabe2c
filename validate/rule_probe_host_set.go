package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-host-set",
	Fix:      &Fix{None: "removing host changes which address is probed; the user decides"},
	Severity: SeverityWarning,
	Category: CategoryBestPractice,
	Summary:  "An httpGet or tcpSocket probe with host set, which probes that host instead of the VM.",
	Description: `Without ` + "`host`" + `, the kubelet sends ` + "`httpGet`" + ` and ` + "`tcpSocket`" + ` probes to the
virt-launcher pod's IP, which KubeVirt forwards to the guest. With ` + "`host`" + ` set,
the kubelet connects to that host instead: the probe then tells whether some
other machine or service answers, not whether the VM does, and a VM that has
hung stays Ready (or alive). KubeVirt accepts it.

To send a particular HTTP ` + "`Host`" + ` header to the guest, set it in
` + "`httpHeaders`" + ` rather than in ` + "`host`" + `.`,
	Remediation: "Remove host to probe the VM; to send a virtual host name, add it as a Host header in httpHeaders.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			errs := probespec.CheckHTTPHost(p, path)
			for i, e := range errs {
				errs[i] = withDetail(e, probespec.HostSetMessage.Text(e.BadValue))
			}
			return errs
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.HostSetMessage, CELValidation{
		Scope:      CELScopeNetworkHandler,
		Expression: "handler.?host.orValue('') == ''",
		Field:      "host",
	}, "handler.host")}},
})
