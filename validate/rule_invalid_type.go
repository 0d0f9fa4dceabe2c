package validate

// InvalidTypeRuleID reports a value of the wrong type, or one that overflows.
const InvalidTypeRuleID = "invalid-type"

var _ = mustRegister(&Rule{
	ID:       InvalidTypeRuleID,
	Fix:      &Fix{Apply: fixQuotedInteger},
	Severity: SeverityError,
	Category: CategoryInput,
	Summary:  "A value has the wrong type for its field (\"20\" for a number, a number that overflows int32).",
	Description: `The API server decodes the object into KubeVirt's Go types and rejects a
string where a number belongs (` + "`periodSeconds: \"20\"`" + `), a list where an object
belongs, or an integer that does not fit the field
(` + "`periodSeconds: 99999999999`" + ` overflows int32).`,
	Remediation: "Write the value with the field's type: unquoted integers for seconds and thresholds, quoted strings for names.",
	CEL:         &CELRule{NoCEL: "The CRD schema types every field: the API server rejects a value of the wrong type before any admission policy runs."},
})
