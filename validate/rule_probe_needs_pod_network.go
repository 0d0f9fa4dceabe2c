package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-needs-pod-network",
	Fix:      &Fix{None: "adding a pod network changes the VM's networking; the user decides"},
	Severity: SeverityError,
	Category: CategoryAdmission,
	Summary:  "An httpGet or tcpSocket probe in a VM that is not attached to the pod network.",
	Description: `The kubelet sends ` + "`httpGet`" + ` and ` + "`tcpSocket`" + ` probes to the virt-launcher
pod's IP address, which leads into the guest only through the pod network.
KubeVirt's admission webhook therefore rejects these probes unless one of
` + "`networks`" + ` has ` + "`pod: {}`" + `. A VM that lists neither networks nor interfaces
gets the pod network from KubeVirt and is fine, unless
` + "`domain.devices.autoattachPodInterface: false`" + ` turns that off. A Multus
network marked ` + "`default: true`" + ` takes the pod's primary interface but does
not count: KubeVirt still rejects the probe.

` + "`exec`" + ` and ` + "`guestAgentPing`" + ` probes run through qemu-guest-agent and need no
network.`,
	Remediation: "Attach the pod network (a network with `pod: {}` and an interface of the same name with `masquerade: {}`), or use an `exec` or `guestAgentPing` probe.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return probespec.CheckPodNetworkForNetworkProbes(o.Spec, o.SpecPath)
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.NeedsPodNetworkMessage, CELValidation{
		Scope:      CELScopeNetworkHandler,
		Expression: "variables.hasPodNetwork",
	}, "handlerName",
		// As probespec.NoPodNetworkReason.
		"(variables.networks.exists(n, has(n.multus) && n.multus.?default.orValue(false)) ? "+
			"'and the Multus default network ' + strings.quote(variables.networks.filter(n, has(n.multus) && n.multus.?default.orValue(false))[0].name) + ' is not one' : "+
			"!variables.spec.?domain.?devices.?autoattachPodInterface.orValue(true) && size(variables.networks) == 0 ? "+
			"'and autoattachPodInterface: false keeps KubeVirt from adding one' : 'and no network has pod: {}')")}},
})
