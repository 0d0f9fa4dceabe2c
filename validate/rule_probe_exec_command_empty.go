package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-exec-command-empty",
	Fix:      &Fix{None: "the command to run is known only to the user"},
	Severity: SeverityError,
	Category: CategoryLauncher,
	Summary:  "An exec probe without a command.",
	Description: `An ` + "`exec`" + ` probe runs its command in the guest through qemu-guest-agent and
succeeds when it exits with status 0. KubeVirt accepts an ` + "`exec`" + ` probe with no
` + "`command`" + ` or an empty one, but Kubernetes pod validation rejects the probe
when KubeVirt copies it onto the virt-launcher pod, so the VM never starts.`,
	Remediation: "Set `exec.command` to the check to run in the guest, for example `[cat, /tmp/healthy]`, or use `guestAgentPing: {}` to check only that the guest agent answers.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			errs := probespec.CheckExecCommand(p, path)
			for i, e := range errs {
				errs[i] = &field.Error{Type: e.Type, Field: e.Field,
					Detail: execCommandEmptyMessage.Text()}
			}
			return errs
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(execCommandEmptyMessage, CELValidation{
		Scope:      CELScopeProbe,
		Expression: "!has(probe.exec) || size(probe.exec.?command.orValue([])) > 0",
		Field:      "exec.command",
	})}},
})

var execCommandEmptyMessage = Msg("the exec probe has no command: Kubernetes rejects the virt-launcher pod, so the VM never starts; " +
	"set the command to run in the guest, for example [cat, /tmp/healthy]")
