// Package apply rolls health checks out to live KubeVirt objects through
// client-go's dynamic client: VirtualMachines, VirtualMachineInstanceReplicaSets
// and VirtualMachinePools, each at the API version the cluster prefers
// (found through discovery).
//
// A Stanza holds the health checks to apply: readinessProbe, livenessProbe
// and domain.devices.watchdog of a VirtualMachineInstance spec, as the
// JSON values the user wrote. An Applier reads each target object, computes
// the object as it will be, lints it with vmhealth's rules (errors stop the
// write unless forced), and writes only the health-check fields:
//
//	a, err := apply.New(apply.Clients{Dynamic: dyn, Mapper: mapper}, apply.Options{})
//	res := a.Apply(ctx, apply.Target{Kind: apply.VirtualMachine, Namespace: "demo", Name: "web-1", Stanza: s})
//	fmt.Println(res.Status) // applied, unchanged or failed
//
// # Field ownership
//
// With the default strategy, server-side apply, vmhealth is a field manager
// ("vmhealth") that owns exactly the health-check fields it sent. Fields
// other managers set are left alone, and changing a field another manager
// owns is a conflict (a *ConflictError naming the manager) unless
// Options.ForceConflicts takes it over. Server-side apply removes fields a
// manager stops sending, so each apply also sends, unchanged, the health
// checks vmhealth applied earlier that the stanza does not mention:
// applying only a readiness probe keeps the liveness probe vmhealth applied
// last time. Within a probe the stanza does mention, fields vmhealth set
// before and leaves out now are removed (unless another manager owns them
// too), so switching a probe from httpGet to tcpSocket works.
//
// Server-side apply merges a probe field by field. A probe that another
// manager wrote with httpGet, given tcpSocket by vmhealth, would end up with
// both handlers; lint reports that (probe-multiple-handlers) before
// anything is written. StrategyMerge replaces each probe of the stanza
// whole instead, with a JSON merge patch guarded by the resourceVersion the
// lint saw.
package apply
