package explain

import (
	"slices"

	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

// launcherRejects says why Kubernetes' pod validation rejects the
// virt-launcher pod that carries p, as lint's launcher rules find it, or
// "" when it accepts it.
func launcherRejects(p *v1.Probe, liveness bool) string {
	switch {
	case liveness && len(probespec.CheckLivenessSuccessThreshold(p, nil)) > 0:
		return "a liveness probe's successThreshold must be 1"
	case len(probespec.CheckPortRange(p, nil)) > 0:
		return "the probe's port is outside 1–65535"
	case len(probespec.CheckExecCommand(p, nil)) > 0:
		return "the exec probe has no command"
	case len(probespec.CheckInitialDelay(p, nil)) > 0:
		return "initialDelaySeconds is below -10, negative even after the 10 s KubeVirt adds"
	}
	return ""
}

// genAction is the watchdog action to offer in a `vmhealth gen --watchdog`
// command: the written one when gen accepts it, the one it most likely
// means, or reset, KubeVirt's default. gen refuses anything else, so
// explain never suggests a command that fails.
func genAction(action string) string {
	if slices.Contains(probespec.DocumentedWatchdogActions, action) {
		return action
	}
	if s := probespec.SuggestWatchdogAction(action); s != "" {
		return s
	}
	return string(v1.WatchdogActionReset)
}
