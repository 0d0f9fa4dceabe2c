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
	Check: func(o *Object, opts *Options) field.ErrorList {
		return probespec.CheckWatchdogModelForArch(o.Spec, o.SpecPath, opts.Architecture)
	},
	CEL: &CELRule{Validations: []CELValidation{{
		Expression: "!has(variables.spec.domain) || !has(variables.spec.domain.devices) || !has(variables.spec.domain.devices.watchdog) || " +
			"(variables.arch == 'amd64' ? !has(variables.spec.domain.devices.watchdog.diag288) : " +
			"variables.arch == 's390x' ? !has(variables.spec.domain.devices.watchdog.i6300esb) : variables.arch != 'arm64')",
		Field:   "domain.devices.watchdog",
		Message: "the watchdog model does not exist on the VM's architecture; use the architecture's own model, or leave the model out",
		MessageExpression: "variables.arch == 'amd64' ? 'amd64 supports only the i6300esb watchdog; use i6300esb or leave the model out' : " +
			"variables.arch == 's390x' ? 's390x supports only the diag288 watchdog; use diag288 or leave the model out' : " +
			"'arm64 VMs cannot have a watchdog; remove it and rely on a liveness probe'",
	}}},
})
