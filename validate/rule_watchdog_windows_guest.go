package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"
	poolv1alpha1 "kubevirt.io/api/pool/v1alpha1"
	poolv1beta1 "kubevirt.io/api/pool/v1beta1"
)

var _ = mustRegister(&Rule{
	ID:       "watchdog-windows-guest",
	Fix:      &Fix{None: "whether the Windows guest has a watchdog driver is known only to the user"},
	Severity: SeverityWarning,
	Category: CategoryBestPractice,
	Summary:  "A watchdog device on a VM that looks like a Windows guest.",
	Description: `The OpenShift Virtualization documentation on VM health checks states that
watchdog devices do not work for Windows guests. KubeVirt accepts the device,
but nothing in the guest feeds it, so it gives no protection against a hang;
a liveness probe (for example ` + "`guestAgentPing`" + ` with the QEMU guest agent for
Windows) does.

vmhealth takes a VM for Windows when any of these is true:

- a label or annotation of the object, of its VM template (pools) or of its
  VMI template has a key or value that contains ` + "`windows`" + ` (any case), such
  as ` + "`kubevirt.io/os: windows`" + ` or ` + "`vm.kubevirt.io/os: windows2k19`" + `, or a key
  that starts with ` + "`os.template.kubevirt.io/win`" + `, as the common templates
  set (` + "`os.template.kubevirt.io/win2k22: \"true\"`" + `); vmhealth's own
  annotations and ` + "`kubectl.kubernetes.io/last-applied-configuration`" + ` are
  not read;
- the preference or instancetype name (` + "`spec.preference.name`" + `,
  ` + "`spec.instancetype.name`" + ` of a VirtualMachine or of a pool's VM template)
  contains ` + "`windows`" + `, such as ` + "`windows.11`" + `;
- the VMI spec enables Hyper-V enlightenments, which only Windows guests use:
  ` + "`domain.features.hyperv`" + `, ` + "`domain.features.hypervPassthrough`" + ` or
  ` + "`domain.clock.timer.hyperv`" + `.`,
	Remediation: "Remove the watchdog and use a liveness probe, such as guestAgentPing with the QEMU guest agent installed in Windows.",
	Check: func(o *Object, _ *Options) field.ErrorList {
		w, path := watchdogOf(o)
		if w == nil {
			return nil
		}
		signal := windowsSignal(o)
		if signal == "" {
			return nil
		}
		return field.ErrorList{field.Invalid(path, field.OmitValueType{},
			fmt.Sprintf("watchdog devices do not work for Windows guests, and this VM looks like one (%s); remove the watchdog and use a liveness probe", signal))}
	},
})

// windowsSignal says why o looks like a Windows VM, or returns "" when
// nothing suggests it.
func windowsSignal(o *Object) string {
	for _, m := range objectMetas(o) {
		for _, kind := range []struct {
			what string
			kv   map[string]string
		}{{"label", m.Labels}, {"annotation", m.Annotations}} {
			for _, k := range slices.Sorted(maps.Keys(kind.kv)) {
				v := kind.kv[k]
				if notAboutTheGuest(k) {
					continue
				}
				if containsFold(k, "windows") || containsFold(v, "windows") || strings.HasPrefix(k, "os.template.kubevirt.io/win") {
					return fmt.Sprintf("%s %s: %q", kind.what, k, v)
				}
			}
		}
	}
	if vm := vmSpecOf(o); vm != nil {
		if vm.Preference != nil && containsFold(vm.Preference.Name, "windows") {
			return fmt.Sprintf("preference %q", vm.Preference.Name)
		}
		if vm.Instancetype != nil && containsFold(vm.Instancetype.Name, "windows") {
			return fmt.Sprintf("instancetype %q", vm.Instancetype.Name)
		}
	}
	if o.Spec != nil {
		d := o.Spec.Domain
		switch {
		case d.Features != nil && d.Features.Hyperv != nil:
			return "domain.features.hyperv is set"
		case d.Features != nil && d.Features.HypervPassthrough != nil:
			return "domain.features.hypervPassthrough is set"
		case d.Clock != nil && d.Clock.Timer != nil && d.Clock.Timer.Hyperv != nil:
			return "domain.clock.timer.hyperv is set"
		}
	}
	return ""
}

// notAboutTheGuest reports annotations whose text can mention Windows
// without describing the guest: vmhealth's own, and kubectl's copy of the
// whole object.
func notAboutTheGuest(key string) bool {
	return strings.HasPrefix(key, "vmhealth.io/") || key == "kubectl.kubernetes.io/last-applied-configuration"
}

// objectMetas returns the metadata of o, of its VM template (pools) and of
// its VMI template, those that it has.
func objectMetas(o *Object) []*metav1.ObjectMeta {
	out := []*metav1.ObjectMeta{o.Meta}
	switch t := o.Typed.(type) {
	case *v1.VirtualMachine:
		if t.Spec.Template != nil {
			out = append(out, &t.Spec.Template.ObjectMeta)
		}
	case *v1.VirtualMachineInstanceReplicaSet:
		if t.Spec.Template != nil {
			out = append(out, &t.Spec.Template.ObjectMeta)
		}
	case *poolv1beta1.VirtualMachinePool:
		if vt := t.Spec.VirtualMachineTemplate; vt != nil {
			out = append(out, &vt.ObjectMeta)
			if vt.Spec.Template != nil {
				out = append(out, &vt.Spec.Template.ObjectMeta)
			}
		}
	case *poolv1alpha1.VirtualMachinePool:
		if vt := t.Spec.VirtualMachineTemplate; vt != nil {
			out = append(out, &vt.ObjectMeta)
			if vt.Spec.Template != nil {
				out = append(out, &vt.Spec.Template.ObjectMeta)
			}
		}
	}
	return out
}

// vmSpecOf returns the VirtualMachine spec of a VM or of a pool's VM
// template, or nil for other kinds.
func vmSpecOf(o *Object) *v1.VirtualMachineSpec {
	switch t := o.Typed.(type) {
	case *v1.VirtualMachine:
		return &t.Spec
	case *poolv1beta1.VirtualMachinePool:
		if t.Spec.VirtualMachineTemplate != nil {
			return &t.Spec.VirtualMachineTemplate.Spec
		}
	case *poolv1alpha1.VirtualMachinePool:
		if t.Spec.VirtualMachineTemplate != nil {
			return &t.Spec.VirtualMachineTemplate.Spec
		}
	}
	return nil
}
