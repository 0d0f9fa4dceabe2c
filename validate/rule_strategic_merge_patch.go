package validate

// StrategicMergePatchRuleID reports a kustomize patch linted as if it
// were a whole object.
const StrategicMergePatchRuleID = "strategic-merge-patch"

var _ = mustRegister(&Rule{
	ID:       StrategicMergePatchRuleID,
	Fix:      &Fix{None: "the patch is complete only together with the base it patches"},
	Severity: SeverityWarning,
	Category: CategoryInput,
	Summary:  "A kustomize strategic-merge patch, not a whole object: lint the overlay, which vmhealth builds.",
	Description: `An overlay's patch names a VirtualMachine and holds only the fields it
changes: a readinessProbe whose handler is in the base, a watchdog without
the rest of the domain. Linted alone it looks like a broken VM, and the
rules would report what the base supplies (probe-no-handler for a probe
that only changes its timing). vmhealth recognises a patch when a
kustomization.yaml in the file's directory, or in one of the three above
it, lists the file under patches, patchesStrategicMerge or
patchesJson6902 — the content alone cannot tell a patch from a small
VirtualMachine — and then reports the object once and does not lint it.
A file given on standard input has no directory, so it is linted as it
is.

Lint the overlay directory instead (the one with kustomization.yaml):
vmhealth builds it in process, as kustomize build would, and points each
finding at the resource or patch file the field came from.`,
	Remediation: "Lint the overlay (vmhealth lint path/to/overlay), which builds the base with its patches.",
	CEL:         &CELRule{NoCEL: "A property of the input file: the API server receives the built object, not the patch."},
})
