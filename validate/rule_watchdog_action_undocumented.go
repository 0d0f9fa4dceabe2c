package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "watchdog-action-undocumented",
	Fix:      &Fix{None: "the libvirt action works; replacing it with a documented one changes what happens on a hang"},
	Severity: SeverityWarning,
	Category: CategoryRuntime,
	Summary:  "A watchdog action libvirt knows but KubeVirt does not document (pause, dump, none, inject-nmi).",
	Description: `KubeVirt documents the watchdog actions ` + "`poweroff`" + `, ` + "`reset`" + ` and
` + "`shutdown`" + `. It passes the action to libvirt unchecked, and libvirt also knows
` + "`pause`" + `, ` + "`dump`" + `, ` + "`none`" + ` and ` + "`inject-nmi`" + `, so these are accepted, but
KubeVirt neither documents nor supports them. Several defeat the watchdog:
` + "`none`" + ` and ` + "`pause`" + ` leave a hung guest hung (paused, the VM is neither
restarted nor ended), and ` + "`inject-nmi`" + ` relies on the guest kernel to act on
the interrupt.`,
	Remediation: "Use reset to reboot a hung guest, poweroff to end the VM (its runStrategy decides what follows), or shutdown to ask the guest to shut down.",
	Check: func(o *Object, _ Params) field.ErrorList {
		w, path := watchdogOf(o)
		errs := probespec.CheckWatchdogActionDocumented(w, path)
		var out field.ErrorList
		for _, e := range errs {
			if !templated(o, fmt.Sprint(e.BadValue)) {
				out = append(out, withDetail(e, undocumentedActionMessage.Text(e.BadValue)))
			}
		}
		return out
	},
	CEL: &CELRule{Validations: []CELValidation{celUndocumentedAction(probespec.ModelI6300ESB), celUndocumentedAction(probespec.ModelDiag288)}},
})

// celUndocumentedAction is watchdog-action-undocumented for one model.
func celUndocumentedAction(model string) CELValidation {
	return CELFrom(undocumentedActionMessage, CELValidation{
		Expression: "!(" + celIn(celWatchdogOpt+".?"+model+".?action.orValue('')", probespec.LibvirtOnlyWatchdogActions) + ")",
		Field:      watchdogField + "." + model + ".action",
	}, celWatchdog+"."+model+".action")
}

var undocumentedActionMessage = Msg(Val("watchdog action %q", "the watchdog action"),
	" is passed to libvirt but not documented by KubeVirt; use poweroff, reset or shutdown")
