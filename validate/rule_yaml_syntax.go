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
("<1>") or "..." placeholders that are not YAML.

A document is one node. When its first line is a complete flow node — a
stray ` + "`[web, db]`" + ` or ` + "`{draft: true}`" + ` — the node ends there and
anything after it is an error (kubectl and PyYAML refuse the file);
vmhealth reports it at the line after the node rather than reading the one
node and dropping the VM below it. An unrendered Helm template is not
reported here but once, as helm-template.`,
	Remediation: "Fix the YAML at the reported line (indentation, a missing colon, a stray callout or tab).",
	CEL:         &CELRule{NoCEL: "A property of the input file: text that is not valid YAML never becomes an object."},
})
