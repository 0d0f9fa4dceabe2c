package validate

// APIVersionRuleID reports a KubeVirt kind at an apiVersion no longer served.
const APIVersionRuleID = "api-version-unsupported"

var _ = mustRegister(&Rule{
	ID:       APIVersionRuleID,
	Fix:      &Fix{None: "moving to a served apiVersion can change which fields exist; the user chooses the version"},
	Severity: SeverityError,
	Category: CategoryAdmission,
	Summary:  "A KubeVirt kind at an apiVersion that KubeVirt no longer serves (kubevirt.io/v1alpha2).",
	Description: `KubeVirt serves kubevirt.io/v1 and v1alpha3 for VirtualMachine,
VirtualMachineInstance and VirtualMachineInstanceReplicaSet, and
pool.kubevirt.io/v1beta1 and v1alpha1 for VirtualMachinePool. An object at
another version (old docs use kubevirt.io/v1alpha2) is refused by the API
server with "no matches for kind". vmhealth still lints it with the current
types, so its health checks are checked too.`,
	Remediation: "Change apiVersion to kubevirt.io/v1 (pool.kubevirt.io/v1beta1 for pools).",
	CEL:         &CELRule{NoCEL: "The API server refuses an apiVersion it does not serve before any admission policy runs."},
})
