package validate

import (
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"
)

var _ = mustRegister(&Rule{
	ID:       "probe-exec-virt-probe",
	Fix:      &Fix{None: "the command the guest should run instead is the user's to choose"},
	Severity: SeverityWarning,
	Category: CategoryRuntime,
	Summary:  "An exec probe whose command runs virt-probe, which exists only in the virt-launcher pod.",
	Description: `KubeVirt turns an ` + "`exec`" + ` probe into a ` + "`virt-probe`" + ` call on the virt-launcher
pod's compute container: virt-probe, in the launcher, hands only the
command to qemu-guest-agent, which runs it inside the guest. A manifest
that writes ` + "`virt-probe`" + ` into the command itself (copied from a rendered
launcher pod, or from a guess at how KubeVirt works) asks the guest to run
virt-probe — and the guest has no such program, so the probe fails every
time: a readiness probe keeps the VM from ever becoming Ready, a liveness
probe ends it again and again. KubeVirt accepts the VM.`,
	Remediation: "Write only the command to run in the guest, for example command: [\"cat\", \"/tmp/healthy\"]; KubeVirt adds virt-probe itself.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, pth *field.Path, _ bool) field.ErrorList {
			if p.Exec == nil {
				return nil
			}
			for i, arg := range p.Exec.Command {
				if mentionsVirtProbe(arg) {
					return field.ErrorList{field.Invalid(pth.Child("exec", "command").Index(i), arg,
						"the command runs virt-probe in the guest, which has none: KubeVirt already runs virt-probe in the virt-launcher and hands only the command to qemu-guest-agent, so this probe fails every time")}
				}
			}
			return nil
		})
	},
})

// mentionsVirtProbe reports whether one argument of an exec command runs
// virt-probe: the program itself (/usr/bin/virt-probe) or a shell line
// that calls it ("virt-probe --command …").
func mentionsVirtProbe(arg string) bool {
	for _, word := range strings.FieldsFunc(arg, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ';' || r == '&' || r == '|' || r == '(' || r == ')' || r == '"' || r == '\''
	}) {
		if path.Base(word) == "virt-probe" {
			return true
		}
	}
	return false
}
