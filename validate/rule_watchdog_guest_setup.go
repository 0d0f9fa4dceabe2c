package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var _ = mustRegister(&Rule{
	ID:       "watchdog-guest-setup",
	Fix:      &Fix{None: "the guest side is set up in the image or cloud-init; vmhealth gen --cloud-init writes it"},
	Severity: SeverityInfo,
	Category: CategoryBestPractice,
	Summary:  "A watchdog device, which acts only if software in the guest arms and feeds it.",
	Description: `A watchdog device is a timer in the virtual hardware. It does nothing until
software in the guest opens it, and from then on the guest must write to it
regularly; only when those writes stop does the device fire its action. A
guest that never arms the device is never reset, however hung it is.

The OpenShift Virtualization documentation sets this up in a Linux guest
with the ` + "`watchdog`" + ` package: install it, uncomment
` + "`watchdog-device = /dev/watchdog`" + ` in ` + "`/etc/watchdog.conf`" + `, and run
` + "`systemctl enable --now watchdog.service`" + `. systemd can also feed the device
itself (` + "`RuntimeWatchdogSec=`" + ` in ` + "`/etc/systemd/system.conf`" + `).

vmhealth does not report the watchdog when the VM's inline cloud-init user
data (` + "`cloudInitNoCloud`" + ` or ` + "`cloudInitConfigDrive`" + `, plain or base64)
mentions ` + "`watchdog`" + `, as when it installs the package, nor for a VM that
looks like Windows, which ` + "`watchdog-windows-guest`" + ` reports instead.`,
	Remediation: "Set up a watchdog daemon in the guest image or from cloud-init: packages: [watchdog], enable watchdog-device = /dev/watchdog in /etc/watchdog.conf, then systemctl enable --now watchdog.service.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		w, path := watchdogOf(o)
		if w == nil || userDataMentions(o, "watchdog") || windowsSignal(o) != "" {
			return nil
		}
		return field.ErrorList{field.Invalid(path, field.OmitValueType{},
			"the watchdog acts only if the guest arms and feeds it: install the watchdog package, set watchdog-device = /dev/watchdog in /etc/watchdog.conf and run systemctl enable --now watchdog.service")}
	},
})
