// Package gen writes KubeVirt health checks that are right the first time:
// readiness and liveness probes and the watchdog device, as a stanza to
// paste, a JSON merge patch, a whole minimal VirtualMachine, or merged into
// an existing manifest; and the guest side that makes them work, as
// cloud-init cloud-config.
//
// # Probes in one word
//
// ParseProbeSpec reads the compact syntax of vmhealth gen's --readiness and
// --liveness flags: http:1500/healthz, https:8443/ready, tcp:1500, tcp:ssh,
// exec:'cat /tmp/healthy' or guest-agent-ping.
//
// # Building
//
// Build turns a Request into a Stanza and refuses what vmhealth's lint
// would call an error, with an *InvalidError naming the field:
//
//	s, err := gen.Build(gen.Request{
//		Readiness: &gen.ProbeRequest{Spec: "http:1500/healthz", PeriodSeconds: &twenty},
//		Watchdog:  &gen.WatchdogRequest{Action: "poweroff"},
//		CloudInit: true,
//	})
//	out, err := s.Render(gen.FormatYAML, gen.TargetVM)
//
// It checks twice: with probespec.ValidateVMISpec, and by linting a minimal
// VirtualMachine holding the stanza with validate's default rules, so
// that nothing gen writes can fail vmhealth lint.
//
// # Into a manifest
//
// MergeInto edits the YAML of an existing VirtualMachine or
// VirtualMachineInstance: it replaces or adds only the probe, watchdog and
// (with cloud-init) volume fields, extends a masquerade interface's ports
// when it would not forward a probe port, and leaves every other byte of
// the file as it was, comments included.
package gen
