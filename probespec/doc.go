// Package probespec builds, explains and checks the health checks of a
// KubeVirt virtual machine: the readiness and liveness probes and the
// watchdog device of a VMI spec (a VirtualMachine's spec.template.spec).
// It works on the kubevirt.io/api/core/v1 types and reports problems as
// apimachinery field errors, the way Kubernetes validates its own objects.
//
// # Building
//
// Builders return the KubeVirt types, ready to put into a spec:
//
//	spec.ReadinessProbe = probespec.HTTPGet(1500, "/healthz").
//		InitialDelay(120).Period(20).Timeout(10).FailureThreshold(3).Build()
//	spec.LivenessProbe = probespec.TCPSocketNamed("ssh").InitialDelay(60).Build()
//	spec.Domain.Devices.Watchdog = probespec.Watchdog("watchdog").
//		Model(probespec.ModelI6300ESB).Action(v1.WatchdogActionPoweroff).Build()
//
// # Checking
//
// ValidateVMISpec runs every check whose finding KubeVirt or Kubernetes
// rejects, or that keeps a probe from ever reaching the guest:
//
//	errs := probespec.ValidateVMISpec(&vm.Spec.Template.Spec,
//		field.NewPath("spec", "template", "spec"), probespec.Options{})
//	for _, e := range errs {
//		fmt.Println(e) // spec.template.spec.livenessProbe.successThreshold: Invalid value: 2: must be 1 for a liveness probe; …
//	}
//
// Each check is also a function of its own, CheckSingleHandler,
// CheckPortRange, CheckMasqueradeForwardsProbePorts and so on, taking the
// probe (or watchdog, or spec) and its field path and returning a
// field.ErrorList, so a linter can give each its own rule and severity.
// Some of them are advice rather than errors, such as CheckHTTPHost,
// CheckThresholdsBelowOne and CheckLivenessBootWindow; ValidateVMISpec
// leaves those out.
//
// # Messages
//
// A check's error detail is worded by a template beside the check
// (NoHandlerMessage, PeriodTimeoutMessage, NotForwardedMessage, …). The
// checks with values to tell return them too, so that callers can act on
// them rather than on the words: UnforwardedProbePorts returns which probe,
// handler, port and interface (UnforwardedPort), PeriodNotAboveTimeout the
// period and timeouts (PeriodTimeout); their Message methods word them.
// vmhealth's lint rules make their findings and their admission policy's
// messages from the same templates, so the three say the same thing.
//
// # What really runs
//
// KubeVirt defaults a probe (Defaulted) and copies it onto the
// virt-launcher pod with 10 s more initial delay and, for exec and
// guestAgentPing, 1 s more timeout. EffectiveProbe returns those values,
// and its methods compute when the first probe runs, when a VM can become
// ready, how long a hang takes to detect and how soon a liveness probe can
// end a VM that is still booting.
package probespec
