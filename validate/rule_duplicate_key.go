package validate

// DuplicateKeyRuleID reports a key written twice in one mapping.
const DuplicateKeyRuleID = "duplicate-key"

var _ = mustRegister(&Rule{
	ID:       DuplicateKeyRuleID,
	Fix:      &Fix{None: "which of the two values was meant is a guess"},
	Severity: SeverityError,
	Category: CategoryInput,
	Summary:  "The same key appears twice in one mapping.",
	Description: `Most YAML tools keep the last of two equal keys without a word, so the
first value (often a whole probe) is lost. The API server rejects duplicate
fields under strict field validation. vmhealth reports the second key and
names the line of the first.`,
	Remediation: "Delete one of the two keys, or merge their contents.",
	CEL:         &CELRule{NoCEL: "A property of the YAML text: the object the API server receives has one value for each key."},
})
