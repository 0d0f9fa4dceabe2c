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
(` + "`cloudInitNoCloud`" + ` or ` + "`cloudInitConfigDrive`" + `, plain or base64) really sets up
` + "`qemu-guest-agent`" + `: a ` + "`#cloud-config`" + ` that lists it in ` + "`packages`" + `, names it in a
` + "`runcmd`" + ` or ` + "`bootcmd`" + ` command or a written file, or a script that names it
outside a comment. A comment that mentions the agent is not setup, and
user data that cloud-init ignores (no ` + "`#cloud-config`" + ` header, invalid YAML:
` + "`cloud-init-user-data-invalid`" + `) sets up nothing. On RHEL-family guests the
agent also blocks ` + "`guest-exec`" + ` by default (` + "`guest-exec-blocked`" + `).`,
	Remediation: "Make sure the guest runs qemu-guest-agent: use an image that ships it, or install and enable it from cloud-init (packages: [qemu-guest-agent], runcmd: [[systemctl, enable, --now, qemu-guest-agent]]). Or probe over the network with httpGet or tcpSocket.",
	Check: func(o *Object, _ Params) field.ErrorList {
		if userDataSetsUp(o, "qemu-guest-agent") {
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
