package validate

// UnknownFieldRuleID reports a key that the KubeVirt API does not have.
const UnknownFieldRuleID = "unknown-field"

var _ = mustRegister(&Rule{
	ID:       UnknownFieldRuleID,
	Fix:      &Fix{Apply: fixUnknownField},
	Severity: SeverityError,
	Category: CategoryInput,
	Summary:  "A key that the KubeVirt API does not define (a typo, startupProbe, grpc).",
	Description: `KubeVirt's CRDs declare every field (additionalProperties: false), so the
API server rejects an unknown field under strict field validation and
server-side apply. Worse, clients that do not validate strictly drop it
silently: ` + "`livenesProbe:`" + ` or ` + "`periodSecond: 20`" + ` then leave the VM without the
probe or with the default period, and nothing says so. KubeVirt has no
` + "`startupProbe`" + ` and no ` + "`grpc`" + ` probe handler, though Pods do.

vmhealth checks every key against the kubevirt.io/api Go types, including
under the VMI spec, where the types' own JSON decoding is not strict, and
suggests the field you probably meant. Fields that the CRD marks
x-kubernetes-preserve-unknown-fields (template metadata, domain.clock)
are not checked.`,
	Remediation: "Rename the key to the field suggested, or remove it.",
	CEL:         &CELRule{NoCEL: "The CRD schema declares every field: with strict field validation (kubectl's default) the API server rejects an unknown field itself, and otherwise drops it before any admission policy runs."},
})
