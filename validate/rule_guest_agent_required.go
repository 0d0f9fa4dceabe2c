package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "guest-agent-required",
	Fix:      &Fix{None: "installing the guest agent is a change in the guest image, not in the manifest"},
	Severity: SeverityInfo,
	Category: CategoryBestPractice,
	Summary:  "An exec or guestAgentPing probe, which works only while qemu-guest-agent runs in the guest.",
	Description: `The kubelet cannot reach into a VM, so KubeVirt runs ` + "`exec`" + ` and
` + "`guestAgentPing`" + ` probes through ` + "`virt-probe`" + `, virt-launcher and the QEMU guest
agent (qemu-guest-agent) inside the guest. If the guest image does not
install and start the agent, every such probe fails: a readiness probe
keeps the VM from ever becoming Ready, and a liveness probe ends the VM again
and again. Many cloud images include the agent, many others do not, and
nothing in the manifest says which.

vmhealth does not report the probe when the VM's inline cloud-init user data
(` + "`cloudInitNoCloud`" + ` or ` + "`cloudInitConfigDrive`" + `, plain or base64) mentions
` + "`qemu-guest-agent`" + `, as when it installs or enables the package.`,
	Remediation: "Make sure the guest runs qemu-guest-agent: use an image that ships it, or install and enable it from cloud-init (packages: [qemu-guest-agent], runcmd: [[systemctl, enable, --now, qemu-guest-agent]]). Or probe over the network with httpGet or tcpSocket.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		if userDataMentions(o, "qemu-guest-agent") {
			return nil
		}
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, liveness bool) field.ErrorList {
			if !hasOneHandler(p) {
				return nil
			}
			h := probespec.HandlerName(p)
			if h != probespec.HandlerExec && h != probespec.HandlerGuestAgentPing {
				return nil
			}
			effect := "the VM never becomes ready"
			if liveness {
				effect = "the liveness probe ends the VM again and again"
			}
			return field.ErrorList{field.Invalid(path.Child(h), field.OmitValueType{},
				fmt.Sprintf("%s probes run through qemu-guest-agent in the guest; make sure the guest image runs it, or %s", h, effect))}
		})
	},
})
