package validate

// ObjectTooComplexRuleID reports an object that hits the decoder's limits.
const ObjectTooComplexRuleID = "object-too-complex"

var _ = mustRegister(&Rule{
	ID:       ObjectTooComplexRuleID,
	Fix:      &Fix{None: "the object was not read in full, so there is nothing to edit with certainty"},
	Severity: SeverityError,
	Category: CategoryInput,
	Summary:  "An object expands to too many nodes (a YAML alias bomb) or nests too deeply.",
	Description: `YAML aliases let a few lines expand into billions of nodes ("billion
laughs"). vmhealth never expands more than about a million nodes or nests
deeper than 256 levels for one object; it reports the object and goes on
with the rest of the input. The API server would refuse such an object too.`,
	Remediation: "Remove the recursive or repeated aliases; write the object out plainly.",
	CEL:         &CELRule{NoCEL: "A limit of vmhealth's decoder, not a property of the object."},
})
