package validate

// AmbiguousValueRuleID reports a value that YAML 1.1 and YAML 1.2 tools read
// differently.
const AmbiguousValueRuleID = "yaml-ambiguous-value"

var _ = mustRegister(&Rule{
	ID:       AmbiguousValueRuleID,
	Fix:      &Fix{None: "whether yes meant true or the string is a guess"},
	Severity: SeverityWarning,
	Category: CategoryInput,
	Summary:  "A value that YAML 1.1 tools (kubectl, Helm) and YAML 1.2 tools read differently: yes/no/on/off, octal-looking 0700.",
	Description: `kubectl, Helm and every tool built on sigs.k8s.io/yaml read YAML 1.1, in
which an unquoted ` + "`yes`, `no`, `on`, `off`, `y` or `n`" + ` is a boolean and ` + "`0700`" + ` is
the octal number 448. YAML 1.2 tools (and many editors and linters) read the
first as strings. vmhealth reads the values as kubectl will send them: where
a boolean belongs it accepts ` + "`on`" + ` but warns, so the file means the same to
every tool; where a string belongs (a label, a name) it is an
` + "`invalid-type`" + ` error, because the API server refuses the boolean that kubectl
sends.`,
	Remediation: "Write true or false for booleans, quote strings such as \"yes\", and write numbers without a leading zero.",
})
