package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "watchdog-model-architecture",
	Fix:      &Fix{None: "the model for the architecture changes the device; the user decides"},
	Severity: SeverityError,
	Category: CategoryAdmission,
	Summary:  "A watchdog model the VM's architecture does not have (amd64: i6300esb, s390x: diag288, arm64: none).",
	Description: `Each architecture has its own watchdog device: amd64 only the Intel
` + "`i6300esb`" + `, s390x only ` + "`diag288`" + `, and arm64 none at all. KubeVirt rejects a
VirtualMachineInstance whose watchdog does not fit its architecture
(` + "`spec.architecture`" + `, else the cluster's default, which vmhealth takes from
` + "`--arch`" + ` and otherwise assumes to be amd64). A watchdog without a model is
given the right one.

KubeVirt checks this only when the VirtualMachineInstance is created: a
VirtualMachine with the wrong model is accepted, and fails when it is started.`,
	Remediation: "Leave the model out so KubeVirt picks the architecture's own, use the model of the architecture, or remove the watchdog on arm64 and rely on a liveness probe.",
	Check: func(o *Object, p Params) field.ErrorList {
		errs := probespec.CheckWatchdogModelForArch(o.Spec, o.SpecPath, p.Architecture)
		if len(errs) == 0 {
			return nil
		}
		arch := o.Spec.Architecture
		if arch == "" {
			arch = p.Architecture
		}
		if arch == "" {
			arch = probespec.ArchAMD64
		}
		// The model KubeVirt gives a watchdog without one is the
		// architecture's own.
		model := probespec.WatchdogModel(probespec.WatchdogDefaulted(&v1.Watchdog{}, arch))
		for i, e := range errs {
			errs[i] = withDetail(e, modelArchMessage.Text(arch == probespec.ArchARM64, arch, model, model))
		}
		return errs
	},
	CEL: &CELRule{Validations: []CELValidation{modelArchMessage.CEL(CELValidation{
		Expression: "!" + celWatchdogOpt + ".hasValue() || " +
			"(variables.arch == '" + probespec.ArchAMD64 + "' ? !has(" + celWatchdog + "." + probespec.ModelDiag288 + ") : " +
			"variables.arch == '" + probespec.ArchS390X + "' ? !has(" + celWatchdog + "." + probespec.ModelI6300ESB + ") : variables.arch != '" + probespec.ArchARM64 + "')",
		Field: watchdogField,
	}, "variables.arch == '"+probespec.ArchARM64+"'", "variables.arch", celArchModel, celArchModel)}},
})

// modelArchMessage takes whether the architecture is arm64, which has no
// watchdog, then the architecture and its model (twice).
var modelArchMessage = Msg(Either("the watchdog model does not exist on the VM's architecture; use the architecture's own model, or leave the model out",
	"arm64 VMs cannot have a watchdog; remove it and rely on a liveness probe",
	Msg(Val("%s", ""), " supports only the ", Val("%s", ""), " watchdog; use ", Val("%s", ""), " or leave the model out")))

// celArchModel is the watchdog model of variables.arch, amd64 or s390x.
var celArchModel = "(variables.arch == '" + probespec.ArchS390X + "' ? '" + probespec.ModelDiag288 + "' : '" + probespec.ModelI6300ESB + "')"
