package validate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

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
		return probespec.CheckWatchdogModelForArch(o.Spec, o.SpecPath, p.Architecture)
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(probespec.ModelArchMessage, CELValidation{
		Expression: "!" + celWatchdogOpt + ".hasValue() || " +
			"(variables.arch == '" + probespec.ArchAMD64 + "' ? !has(" + celWatchdog + "." + probespec.ModelDiag288 + ") : " +
			"variables.arch == '" + probespec.ArchS390X + "' ? !has(" + celWatchdog + "." + probespec.ModelI6300ESB + ") : variables.arch != '" + probespec.ArchARM64 + "')",
		Field: watchdogField,
	}, "variables.arch == '"+probespec.ArchARM64+"'", "variables.arch", celArchModel, celArchModel)}},
})

// celArchModel is the watchdog model of variables.arch, amd64 or s390x.
var celArchModel = "(variables.arch == '" + probespec.ArchS390X + "' ? '" + probespec.ModelDiag288 + "' : '" + probespec.ModelI6300ESB + "')"
