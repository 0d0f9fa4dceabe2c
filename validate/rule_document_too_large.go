package validate

// DocumentTooLargeRuleID reports a document over the size cap.
const DocumentTooLargeRuleID = "document-too-large"

var _ = mustRegister(&Rule{
	ID:       DocumentTooLargeRuleID,
	Fix:      &Fix{None: "the document was not read, so there is nothing to edit with certainty"},
	Severity: SeverityError,
	Category: CategoryInput,
	Summary:  "A single YAML document is larger than the configured cap (16 MiB by default).",
	Description: `The API server refuses request bodies over 3 MiB and etcd values over
1.5 MiB, so a single VirtualMachine of many megabytes is almost certainly
generated garbage. vmhealth reports it without parsing it, so it cannot use
up memory, and lints the documents that follow.`,
	Remediation: "Split or shrink the document; raise the cap (--max-document-bytes) only if the input is legitimate.",
	CEL:         &CELRule{NoCEL: "A limit on the input file, not on the object; the API server has its own request size limit."},
})
