package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "watchdog-multiple-models",
	Fix:      &Fix{None: "which model to keep is the user's choice"},
	Severity: SeverityWarning,
	Category: CategoryRuntime,
	Summary:  "A watchdog that sets both i6300esb and diag288.",
	Description: `A VM has one watchdog device of one model: ` + "`i6300esb`" + ` on amd64 or
` + "`diag288`" + ` on s390x. A watchdog that sets both describes no real device; only
one can be used, and which one, with which action, depends on the
architecture rather than on what the manifest seems to say. On amd64 and
s390x the model that does not belong is also reported by
` + "`watchdog-model-architecture`" + `.`,
	Remediation: "Keep the model of the VM's architecture and delete the other, or leave both out and let KubeVirt choose.",
	Check: func(o *Object, _ Params) field.ErrorList {
		w, path := watchdogOf(o)
		errs := probespec.CheckWatchdogSingleModel(w, path)
		for i, e := range errs {
			errs[i] = withDetail(e, multipleModelsMessage.Text())
		}
		return errs
	},
	CEL: &CELRule{Validations: []CELValidation{multipleModelsMessage.CEL(CELValidation{
		Expression: "!" + celWatchdogOpt + ".hasValue() || " +
			"!(has(" + celWatchdog + "." + probespec.ModelI6300ESB + ") && has(" + celWatchdog + "." + probespec.ModelDiag288 + "))",
		Field: watchdogField,
	})}},
})

// multipleModelsMessage names both models: there are two, and the rule
// reports only a watchdog that sets both.
var multipleModelsMessage = Msg("must have exactly one watchdog model set, found " +
	probespec.JoinAnd([]string{probespec.ModelI6300ESB, probespec.ModelDiag288}) + "; keep the one for the VM's architecture")
