// Package policy turns vmhealth's rules into a ValidatingAdmissionPolicy, so
// that a cluster enforces them on every VirtualMachine, whoever creates it,
// without running a webhook.
//
// The CEL expressions are not written here: each rule of package validate
// declares its CEL form next to its Go check (validate.CELRule), and this
// package only places them in policies. Generate builds one policy and one
// binding for each KubeVirt kind that carries a VMI spec (VirtualMachine,
// VirtualMachineInstance, VirtualMachineInstanceReplicaSet and
// VirtualMachinePool). One policy a kind, rather than one for all, lets
// variables.spec be a plain field selection instead of a branch over kinds,
// which would not type-check, and lets each policy be type-checked against
// its kind's schema (TypeCheck does; the API server skips policies that,
// like these, match every version).
//
// Compile compiles the expressions the way the API server does, with
// Kubernetes' CEL libraries, so that a broken expression is found before it
// reaches a cluster; TypeCheck also checks them against the KubeVirt CRDs'
// schemas.
package policy
