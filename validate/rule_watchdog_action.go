package validate

import (
	"fmt"
	yaml "go.yaml.in/yaml/v3"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "watchdog-action",
	Fix:      &Fix{Apply: fixWatchdogAction},
	Severity: SeverityError,
	Category: CategoryRuntime,
	Summary:  "A watchdog action that neither KubeVirt nor libvirt knows.",
	Description: `The watchdog's ` + "`action`" + ` says what happens when the guest stops feeding the
device. KubeVirt documents ` + "`poweroff`" + `, ` + "`reset`" + ` and ` + "`shutdown`" + ` (an empty
action means ` + "`reset`" + `), but does not validate the field at all: a VM with
` + "`action: explode`" + ` is accepted. The value goes on to libvirt, which has no
such action, so the mistake surfaces only when the VM is started, in the
virt-launcher, far from the manifest. The values are case-sensitive:
` + "`Reset`" + ` is not ` + "`reset`" + `.`,
	Remediation: "Use one of poweroff, reset or shutdown, in lowercase.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		w, path := watchdogOf(o)
		errs := probespec.CheckWatchdogActionKnown(w, path)
		var out field.ErrorList
		for _, e := range errs {
			if !templated(o, fmt.Sprint(e.BadValue)) {
				out = append(out, withDetail(e, fmt.Sprintf("unknown watchdog action %q: KubeVirt accepts it without checking; use poweroff, reset or shutdown", e.BadValue)))
			}
		}
		return out
	},
	CEL: &CELRule{Validations: []CELValidation{{
		Expression: celIn("variables.spec.?domain.?devices.?watchdog.?i6300esb.?action.orValue('')",
			[]string{""}, probespec.DocumentedWatchdogActions, probespec.LibvirtOnlyWatchdogActions),
		Field:             "domain.devices.watchdog.i6300esb.action",
		Message:           "unknown watchdog action: KubeVirt accepts it without checking; use poweroff, reset or shutdown",
		MessageExpression: "'unknown watchdog action ' + strings.quote(variables.spec.domain.devices.watchdog.i6300esb.action) + ': KubeVirt accepts it without checking; use poweroff, reset or shutdown'",
	}, {
		Expression: celIn("variables.spec.?domain.?devices.?watchdog.?diag288.?action.orValue('')",
			[]string{""}, probespec.DocumentedWatchdogActions, probespec.LibvirtOnlyWatchdogActions),
		Field:             "domain.devices.watchdog.diag288.action",
		Message:           "unknown watchdog action: KubeVirt accepts it without checking; use poweroff, reset or shutdown",
		MessageExpression: "'unknown watchdog action ' + strings.quote(variables.spec.domain.devices.watchdog.diag288.action) + ': KubeVirt accepts it without checking; use poweroff, reset or shutdown'",
	}}},
})

// fixWatchdogAction replaces an action with the one documented action
// close to it (Reset, rest, poweroof); none or several close ones are a
// guess.
func fixWatchdogAction(c *FixContext) (string, error) {
	v := c.Entry.Value()
	if c.Entry.Key().Value != "action" || v.Kind != yaml.ScalarNode || v.Value == "" {
		return "", ErrNoCertainFix
	}
	cands := closeCandidates(v.Value, probespec.DocumentedWatchdogActions)
	if len(cands) != 1 || cands[0] == v.Value {
		return "", ErrNoCertainFix
	}
	if err := c.File.SetScalar(v, cands[0]); err != nil {
		return "", err
	}
	return fmt.Sprintf("watchdog action %s → %s", v.Value, cands[0]), nil
}
