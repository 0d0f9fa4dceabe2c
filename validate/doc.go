// Package validate lints KubeVirt manifests for health-check and watchdog
// mistakes: probes that can never pass, liveness probes that kill a VM
// before it boots, watchdogs nothing feeds, and the YAML mistakes (unknown
// fields, duplicate keys, wrong types, values YAML 1.1 tools read
// differently) that hide them.
//
// # Loading and checking
//
// Linting is two steps, which callers may run apart:
//
//   - Load turns bytes into objects: it splits the YAML documents,
//     decodes each KubeVirt object (VirtualMachine, VirtualMachineInstance,
//     VirtualMachineInstanceReplicaSet, VirtualMachinePool, and those inside
//     Lists and OpenShift Templates) into its kubevirt.io/api type with the
//     position of every field, and reports what is wrong with the input
//     itself: the findings of the input rules (yaml-syntax, unknown-field,
//     duplicate-key, invalid-type, …). No other rule runs.
//   - Check runs the rules that look at one object on an Object that Load
//     returned and returns their findings. It starts no goroutines.
//
// Lint, LintReader and LintBytes do both for files, directories, streams or
// bytes, with the rules that look across a file (a Service that selects a
// VM), in a pool of Options.Workers goroutines; findings come out in input
// order. Objects does the same on the calling goroutine and returns the
// objects too. LintObject checks an object read from a cluster.
//
// # The public API
//
//   - New builds a Linter from Options (architecture, disabled rules,
//     severity overrides, rule parameters, limits); it returns an error
//     naming every unknown rule ID, parameter or architecture. MustNew
//     panics instead, for options known to be good. A Linter is safe for
//     concurrent use.
//   - Finding is one problem: rule ID, severity, file:line:col, object,
//     field path, message and remediation. Summary counts files, objects
//     and findings, and lists unreadable inputs (InputErrors).
//   - Rule is a rule as data: ID, severity, category, documentation, the Go
//     check, its CEL form (CELRule, which package policy turns into a
//     ValidatingAdmissionPolicy) and its fix (Fix). DefaultRegistry holds
//     every rule vmhealth ships; a Message writes a rule's message once for
//     both its Go and CEL forms.
//   - FixBytes applies the fixes that are always right, and lints again
//     after each.
//   - ReadInput reads a file or standard input with the wording every
//     command uses for an unreadable one.
//
// Options, rules and findings are plain values: render formats findings,
// config reads .vmhealth.yaml into Options, and internal/rulesdoc writes
// the rule reference from the registry.
package validate
