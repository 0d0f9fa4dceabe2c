package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

var _ = mustRegister(&Rule{
	ID:       "cloud-init-user-data-invalid",
	Fix:      &Fix{None: "what the user data was meant to say is the user's to decide"},
	Severity: SeverityWarning,
	Category: CategoryRuntime,
	Summary:  "Inline cloud-init user data that cloud-init ignores, on a VM whose health checks need the guest set up.",
	Description: `cloud-init decides what user data is by its first line: ` + "`#cloud-config`" + `
(YAML), ` + "`#!`" + ` (a script), ` + "`#include`" + `, ` + "`#cloud-boothook`" + `, a jinja template or MIME
multipart. Anything else is logged as unhandled and ignored, and a
` + "`#cloud-config`" + ` that is not a valid YAML mapping is ignored as a whole — every
package, file and command in it. KubeVirt hands the text to the guest
unread, so the VM starts, and the watchdog daemon, qemu-guest-agent or
probe server the user data was meant to set up never appears: probes fail,
the watchdog is never armed.

vmhealth reports it on VMs with a probe or a watchdog, whose health checks
depend on the guest, and then counts the user data as setting up nothing
(` + "`guest-agent-required`" + `, ` + "`watchdog-guest-setup`" + `). The message names the line
of the user data at fault.`,
	Remediation: "Start the user data with #cloud-config on its first line and make it valid YAML (a mapping of modules: packages, write_files, runcmd), or start a script with #!.",
	Check: func(o *Object, _ Params) field.ErrorList {
		if o.Spec == nil || o.Spec.ReadinessProbe == nil && o.Spec.LivenessProbe == nil && o.Spec.Domain.Devices.Watchdog == nil {
			return nil
		}
		var errs field.ErrorList
		for _, u := range userDataOf(o) {
			if u.invalid != "" {
				errs = append(errs, field.Invalid(u.path, field.OmitValueType{},
					fmt.Sprintf("line %d of the user data: %s", u.invalidLine, u.invalid)))
			}
		}
		return errs
	},
})
