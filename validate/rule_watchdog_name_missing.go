package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "watchdog-name-missing",
	Fix:      &Fix{None: "the name is the user's choice"},
	Severity: SeverityWarning,
	Category: CategoryRuntime,
	Summary:  "A watchdog device without a name.",
	Description: `Every device of a VM has a name, and the watchdog's is written as
` + "`watchdog.name`" + `. KubeVirt accepts a watchdog without one and stores the name as
an empty string, so nothing fails, but the device cannot be told apart in the
VMI's status, in events, or by tools that patch devices by name.`,
	Remediation: "Give the watchdog a name, for example `name: watchdog`.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		w, path := watchdogOf(o)
		errs := probespec.CheckWatchdogName(w, path)
		for i, e := range errs {
			errs[i] = &field.Error{Type: e.Type, Field: e.Field, Detail: "the watchdog has no name; KubeVirt stores it as \"\"; name it, for example name: watchdog"}
		}
		return errs
	},
	CEL: &CELRule{NoCEL: "The CRD schema requires the watchdog's name: the API server rejects a watchdog without one before any admission policy runs."},
})
