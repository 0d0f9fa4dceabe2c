package validate

// YAMLSyntaxRuleID reports a document that is not valid YAML.
const YAMLSyntaxRuleID = "yaml-syntax"

var _ = mustRegister(&Rule{
	ID:       YAMLSyntaxRuleID,
	Fix:      &Fix{None: "the text that was meant cannot be known from text that does not parse"},
	Severity: SeverityError,
	Category: CategoryInput,
	Summary:  "The document is not valid YAML.",
	Description: `The YAML parser could not read the document. kubectl, Helm and Argo CD
refuse the whole file; vmhealth reports the line and goes on with the other
documents of the same file, which are split at their "---" markers and
parsed separately. Documentation snippets often carry AsciiDoc callouts
("<1>") or "..." placeholders that are not YAML.`,
	Remediation: "Fix the YAML at the reported line (indentation, a missing colon, a stray callout or tab).",
	CEL:         &CELRule{NoCEL: "A property of the input file: text that is not valid YAML never becomes an object."},
})
