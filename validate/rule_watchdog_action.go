package validate

import (
	"fmt"
	yaml "go.yaml.in/yaml/v3"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/internal/yamldecode"
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
` + "`Reset`" + ` is not ` + "`reset`" + `. The message suggests the documented action meant
when one is recognisable (` + "`PowerOff`" + `: poweroff, ` + "`reboot`" + `: reset).`,
	Remediation: "Use one of poweroff, reset or shutdown, in lowercase.",
	Check: func(o *Object, _ Params) field.ErrorList {
		w, path := watchdogOf(o)
		errs := probespec.CheckWatchdogActionKnown(w, path)
		var out field.ErrorList
		for _, e := range errs {
			if !templated(o, fmt.Sprint(e.BadValue)) {
				out = append(out, withDetail(e, unknownActionMessage.Text(e.BadValue, actionAdvice(fmt.Sprint(e.BadValue)))))
			}
		}
		return out
	},
	CEL: &CELRule{Validations: []CELValidation{celWatchdogAction(probespec.ModelI6300ESB), celWatchdogAction(probespec.ModelDiag288)}},
})

// fixWatchdogAction replaces an action with the one documented action
// close to it (Reset, rest, poweroof); none or several close ones are a
// guess.
func fixWatchdogAction(c *FixContext) (string, error) {
	v := c.Entry.Value()
	if c.Entry.Key().Value != "action" || v.Kind != yaml.ScalarNode || v.Value == "" {
		return "", ErrNoCertainFix
	}
	cands := yamldecode.CloseCandidates(v.Value, probespec.DocumentedWatchdogActions)
	if len(cands) != 1 || cands[0] == v.Value {
		return "", ErrNoCertainFix
	}
	if err := c.File.SetScalar(v, cands[0]); err != nil {
		return "", err
	}
	return fmt.Sprintf("watchdog action %s → %s", v.Value, cands[0]), nil
}

// actionAdvice is the end of watchdog-action's message: the documented
// action meant, when one is recognisable, or the list.
func actionAdvice(action string) string {
	if s := probespec.SuggestWatchdogAction(action); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "use poweroff, reset or shutdown"
}

// celWatchdogAction is watchdog-action for one model, its message worded
// as actionAdvice words it.
func celWatchdogAction(model string) CELValidation {
	a := celWatchdog + "." + model + ".action"
	norm := a + ".lowerAscii().replace('-', '').replace('_', '').replace(' ', '')"
	advice := "(" + celIn(norm, probespec.DocumentedWatchdogActions) + " ? 'did you mean ' + strings.quote(" + norm + ") + '?' : "
	for _, s := range []string{"reset", "poweroff"} {
		var words []string
		for w, to := range probespec.WatchdogActionSynonyms() {
			if to == s {
				words = append(words, w)
			}
		}
		slices.Sort(words)
		advice += celIn(norm, words) + " ? 'did you mean \"" + s + "\"?' : "
	}
	advice += "'use poweroff, reset or shutdown')"
	return CELFrom(unknownActionMessage, CELValidation{
		Expression: celIn(celWatchdogOpt+".?"+model+".?action.orValue('')",
			[]string{""}, probespec.DocumentedWatchdogActions, probespec.LibvirtOnlyWatchdogActions),
		Field: watchdogField + "." + model + ".action",
	}, a, advice)
}

var unknownActionMessage = Msg("unknown watchdog action", Val(" %q", ""),
	": KubeVirt accepts it without checking; ", Val("%s", "use poweroff, reset or shutdown"))
