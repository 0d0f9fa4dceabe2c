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
` + "`watchdog.name`" + `. The CRD schema lists ` + "`name`" + ` as required, yet a real KubeVirt
cluster accepts a watchdog without one: KubeVirt's mutating webhooks run
before the schema check and re-serialise the spec with ` + "`name: \"\"`" + `, which
satisfies ` + "`required`" + `. Nothing fails, but the device cannot be told apart in
the VMI's status, in events, or by tools that patch devices by name — so in
a real cluster this is a warning, which is what vmhealth reports.

Where you check matters: a bare API server with only KubeVirt's CRDs and
none of its webhooks (as in tests, or a dry run against such a server)
rejects the VM with "Required value"; a ValidatingAdmissionPolicy runs after
mutation and sees ` + "`name: \"\"`" + `, so it cannot tell a missing name from an empty
one, and vmhealth's policies leave the rule out.`,
	Remediation: "Give the watchdog a name, for example `name: watchdog`.",
	Check: func(o *Object, _ Params) field.ErrorList {
		w, path := watchdogOf(o)
		errs := probespec.CheckWatchdogName(w, path)
		for i, e := range errs {
			errs[i] = &field.Error{Type: e.Type, Field: e.Field, Detail: "the watchdog has no name; KubeVirt stores it as \"\"; name it, for example name: watchdog"}
		}
		return errs
	},
	CEL: &CELRule{NoCEL: "In a KubeVirt cluster the mutating webhook writes name: \"\" before any admission policy runs, so a policy cannot tell a missing name from an empty one; a bare API server without the webhooks rejects it by the CRD schema."},
})
