package probespec

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/internal/message"
)

// Options tunes ValidateVMISpec.
type Options struct {
	// Architecture is the cluster's default architecture, used when the
	// spec does not set spec.architecture. Empty means amd64.
	Architecture string
}

// ValidateVMISpec runs every check whose finding KubeVirt rejects or that
// keeps the VM from starting or from being probed at all, on the probes
// and watchdog of a VMI spec. fldPath is the path of the spec, for a VM
// spec.template.spec. An empty list means the spec is fine as far as
// health checks go; advice such as CheckHTTPHost, CheckThresholdsBelowOne,
// CheckLivenessBootWindow, CheckWatchdogName and
// CheckWatchdogActionDocumented is left out.
func ValidateVMISpec(spec *v1.VirtualMachineInstanceSpec, fldPath *field.Path, opts Options) field.ErrorList {
	if spec == nil {
		return nil
	}
	var errs field.ErrorList
	errs = append(errs, ValidateProbe(spec.ReadinessProbe, fldPath.Child("readinessProbe"), false)...)
	errs = append(errs, ValidateProbe(spec.LivenessProbe, fldPath.Child("livenessProbe"), true)...)
	errs = append(errs, CheckPodNetworkForNetworkProbes(spec, fldPath)...)
	errs = append(errs, CheckLivenessNotPaused(spec, fldPath)...)
	errs = append(errs, CheckNamedPortDeclared(spec, fldPath)...)
	errs = append(errs, CheckMasqueradeForwardsProbePorts(spec, fldPath)...)
	arch := spec.Architecture
	if arch == "" {
		arch = opts.Architecture
	}
	errs = append(errs, ValidateWatchdog(spec.Domain.Devices.Watchdog,
		fldPath.Child(kubevirtkinds.WatchdogPath[0], kubevirtkinds.WatchdogPath[1:]...), arch)...)
	return errs
}

// ValidateProbe runs the checks of ValidateVMISpec that need only the
// probe: one handler, scheme, port, exec command, initial delay and
// period against timeout, plus the success threshold when liveness is
// true. fldPath is the path of the probe. A nil probe is fine.
func ValidateProbe(p *v1.Probe, fldPath *field.Path, liveness bool) field.ErrorList {
	if p == nil {
		return nil
	}
	var errs field.ErrorList
	errs = append(errs, CheckSingleHandler(p, fldPath)...)
	errs = append(errs, CheckHasHandler(p, fldPath)...)
	errs = append(errs, CheckHTTPScheme(p, fldPath)...)
	errs = append(errs, CheckPortPresent(p, fldPath)...)
	errs = append(errs, CheckPortRange(p, fldPath)...)
	errs = append(errs, CheckExecCommand(p, fldPath)...)
	errs = append(errs, CheckInitialDelay(p, fldPath)...)
	errs = append(errs, CheckPeriodExceedsTimeout(p, fldPath)...)
	if liveness {
		errs = append(errs, CheckLivenessSuccessThreshold(p, fldPath)...)
	}
	return errs
}

// ValidateWatchdog runs the checks of ValidateVMISpec that need only the
// watchdog: a single model, the model allowed on arch ("" means amd64) and
// an action libvirt knows. fldPath is the path of the watchdog. A nil
// watchdog is fine.
func ValidateWatchdog(w *v1.Watchdog, fldPath *field.Path, arch string) field.ErrorList {
	if w == nil {
		return nil
	}
	var errs field.ErrorList
	errs = append(errs, CheckWatchdogSingleModel(w, fldPath)...)
	errs = append(errs, checkWatchdogModelForArch(w, fldPath, arch)...)
	errs = append(errs, CheckWatchdogActionKnown(w, fldPath)...)
	return errs
}

// CheckLivenessNotPaused reports a livenessProbe on a VMI with
// startStrategy Paused, which KubeVirt rejects: a paused guest cannot
// answer, so the probe would end it.
func CheckLivenessNotPaused(spec *v1.VirtualMachineInstanceSpec, fldPath *field.Path) field.ErrorList {
	if spec == nil || spec.LivenessProbe == nil || spec.StartStrategy == nil ||
		*spec.StartStrategy != v1.StartStrategyPaused {
		return nil
	}
	return field.ErrorList{field.Forbidden(fldPath.Child("startStrategy"), PausedLivenessMessage.Text())}
}

// PausedLivenessMessage is CheckLivenessNotPaused's message.
var PausedLivenessMessage = message.Msg("a VM that starts paused cannot have a livenessProbe; remove startStrategy: Paused or the livenessProbe")
