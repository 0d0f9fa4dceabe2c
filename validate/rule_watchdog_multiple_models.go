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
		return probespec.CheckWatchdogSingleModel(w, path)
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.MultipleModelsMessage, CELValidation{
		Expression: "!" + celWatchdogOpt + ".hasValue() || " +
			"!(has(" + celWatchdog + "." + probespec.ModelI6300ESB + ") && has(" + celWatchdog + "." + probespec.ModelDiag288 + "))",
		Field: watchdogField,
	})}},
})
