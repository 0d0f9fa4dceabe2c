package validate

import (
	"runtime"
)

// Options configure a Linter. The zero value lints with every rule of
// DefaultRegistry at its own severity.
type Options struct {
	// Registry supplies the rules; nil means DefaultRegistry.
	Registry *Registry
	// Disabled turns rules off by ID.
	Disabled map[string]bool
	// SeverityOverrides changes a rule's severity by ID.
	SeverityOverrides map[string]Severity
	// Architecture is assumed for objects that do not set
	// spec.architecture; watchdog rules depend on it. Empty means amd64,
	// KubeVirt's default.
	Architecture string
	// RuleParams sets rules' parameters (Rule.Params) by rule ID and
	// parameter name; parameters not set keep their defaults.
	RuleParams map[string]map[string]int
	// MaxDocumentBytes caps the size of one YAML document; larger documents
	// are reported and skipped. 0 means 16 MiB.
	MaxDocumentBytes int64
	// Workers is how many documents are linted at once; 0 means one per CPU.
	Workers int
	// SkipPath, when set, is asked about every file named or found in a
	// directory (not standard input); files it returns true for are not
	// read, linted or counted. The configuration file's ignore globs use it.
	SkipPath func(path string) bool
	// ShallowDir, when set, is asked about every directory named in the
	// inputs; one it returns true for is read one level deep (its own
	// files, no subdirectories), as kubectl reads -f DIR without -R.
	// Other directories are walked recursively.
	ShallowDir func(dir string) bool
	// OnObject, when set, is called with every KubeVirt object linted, in
	// input order, before the findings of its document are emitted; output
	// formats that list clean objects too (JUnit) use it. File is empty for
	// objects linted with LintObject.
	OnObject func(file string, document int, ref ObjectRef)
}

const defaultMaxDocumentBytes = 16 << 20

func (o Options) withDefaults() Options {
	if o.Registry == nil {
		o.Registry = DefaultRegistry
	}
	if o.Architecture == "" {
		o.Architecture = "amd64"
	}
	if o.MaxDocumentBytes == 0 {
		o.MaxDocumentBytes = defaultMaxDocumentBytes
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}
