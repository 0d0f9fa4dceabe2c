package probespec

import (
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/internal/message"
)

// CheckWatchdogModelForArch reports a watchdog model the VMI's
// architecture does not support: on amd64 only i6300esb, on s390x only
// diag288, and on arm64 no watchdog at all. The architecture is
// spec.architecture, else defaultArch (the cluster's default), else amd64;
// other architectures are not checked. A watchdog without a model is fine:
// KubeVirt picks the right one. KubeVirt checks this only when it creates
// the VMI, so a VM with a wrong model is accepted and then never starts.
func CheckWatchdogModelForArch(spec *v1.VirtualMachineInstanceSpec, fldPath *field.Path, defaultArch string) field.ErrorList {
	if spec == nil {
		return nil
	}
	arch := spec.Architecture
	if arch == "" {
		arch = defaultArch
	}
	return checkWatchdogModelForArch(spec.Domain.Devices.Watchdog,
		fldPath.Child(kubevirtkinds.WatchdogPath[0], kubevirtkinds.WatchdogPath[1:]...), arch)
}

// checkWatchdogModelForArch is CheckWatchdogModelForArch on the watchdog
// itself; fldPath is the watchdog's path.
func checkWatchdogModelForArch(w *v1.Watchdog, fldPath *field.Path, arch string) field.ErrorList {
	if w == nil {
		return nil
	}
	if arch == "" {
		arch = ArchAMD64
	}
	switch {
	case arch == ArchAMD64 && w.Diag288 != nil:
		return field.ErrorList{field.Invalid(fldPath, ModelDiag288, modelArchText(arch))}
	case arch == ArchS390X && w.I6300ESB != nil:
		return field.ErrorList{field.Invalid(fldPath, ModelI6300ESB, modelArchText(arch))}
	case arch == ArchARM64:
		return field.ErrorList{field.Forbidden(fldPath, modelArchText(arch))}
	}
	return nil
}

// modelArchText is CheckWatchdogModelForArch's detail for arch.
func modelArchText(arch string) string {
	model := WatchdogModel(WatchdogDefaulted(&v1.Watchdog{}, arch))
	return ModelArchMessage.Text(arch == ArchARM64, arch, model, model)
}

// ModelArchMessage is CheckWatchdogModelForArch's message. It takes
// whether the architecture is arm64, which has no watchdog, then the
// architecture and its model (twice).
var ModelArchMessage = message.Msg(message.Either("the watchdog model does not exist on the VM's architecture; use the architecture's own model, or leave the model out",
	"arm64 VMs cannot have a watchdog; remove it and rely on a liveness probe",
	message.Msg(message.Val("%s", ""), " supports only the ", message.Val("%s", ""), " watchdog; use ", message.Val("%s", ""), " or leave the model out")))

// CheckWatchdogAction reports a watchdog action other than poweroff,
// reset or shutdown (or empty, which KubeVirt defaults to reset). It
// reports what CheckWatchdogActionKnown and CheckWatchdogActionDocumented
// report together. fldPath is the path of the watchdog.
func CheckWatchdogAction(w *v1.Watchdog, fldPath *field.Path) field.ErrorList {
	return checkWatchdogAction(w, fldPath, func(a v1.WatchdogAction) bool {
		return !IsDocumentedWatchdogAction(a)
	})
}

// CheckWatchdogActionKnown reports a watchdog action libvirt does not know,
// such as "explode". KubeVirt does not validate the action, so the VM is
// accepted and fails when libvirt defines the domain.
func CheckWatchdogActionKnown(w *v1.Watchdog, fldPath *field.Path) field.ErrorList {
	return checkWatchdogAction(w, fldPath, func(a v1.WatchdogAction) bool {
		return !IsLibvirtWatchdogAction(a)
	})
}

// CheckWatchdogActionDocumented reports a watchdog action libvirt knows but
// KubeVirt does not document: one of LibvirtOnlyWatchdogActions. It works,
// but pause and none leave a hung guest hanging; warn, do not reject.
func CheckWatchdogActionDocumented(w *v1.Watchdog, fldPath *field.Path) field.ErrorList {
	return checkWatchdogAction(w, fldPath, func(a v1.WatchdogAction) bool {
		return slices.Contains(LibvirtOnlyWatchdogActions, string(a))
	})
}

func checkWatchdogAction(w *v1.Watchdog, fldPath *field.Path, bad func(v1.WatchdogAction) bool) field.ErrorList {
	var errs field.ErrorList
	for _, ma := range watchdogActions(w) {
		if ma.action == "" || !bad(ma.action) {
			continue
		}
		errs = append(errs, field.NotSupported(fldPath.Child(ma.model, "action"),
			string(ma.action), DocumentedWatchdogActions))
	}
	return errs
}

// CheckWatchdogName reports a watchdog without a name. KubeVirt accepts
// it and writes it back as "", but the name is how the device is told apart.
func CheckWatchdogName(w *v1.Watchdog, fldPath *field.Path) field.ErrorList {
	if w == nil || w.Name != "" {
		return nil
	}
	return field.ErrorList{field.Required(fldPath.Child("name"), "give the watchdog a name, for example watchdog")}
}

// CheckWatchdogSingleModel reports a watchdog with both i6300esb and
// diag288 set; a watchdog device has exactly one model.
func CheckWatchdogSingleModel(w *v1.Watchdog, fldPath *field.Path) field.ErrorList {
	if w == nil || w.I6300ESB == nil || w.Diag288 == nil {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath, []string{ModelI6300ESB, ModelDiag288}, MultipleModelsMessage.Text())}
}

// MultipleModelsMessage is CheckWatchdogSingleModel's message. It names
// both models: there are two, and the check reports only a watchdog that
// sets both.
var MultipleModelsMessage = message.Msg("must have exactly one watchdog model set, found " +
	JoinAnd([]string{ModelI6300ESB, ModelDiag288}) + "; keep the one for the VM's architecture")
