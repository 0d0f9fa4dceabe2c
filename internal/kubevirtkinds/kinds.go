// Package kubevirtkinds is the one table of the KubeVirt kinds vmhealth
// reads, writes and enforces: their group, the versions KubeVirt serves,
// their resource and short names, where the VirtualMachineInstance spec
// sits in them and how to reach it in the Go types, and whether apply may
// change them. validate, apply, policy and gen each derive their own view
// from it; nothing else lists the kinds.
package kubevirtkinds

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	v1 "kubevirt.io/api/core/v1"
	poolv1alpha1 "kubevirt.io/api/pool/v1alpha1"
	poolv1beta1 "kubevirt.io/api/pool/v1beta1"
)

// WatchdogPath is where the watchdog sits in a VirtualMachineInstance spec.
var WatchdogPath = []string{"domain", "devices", "watchdog"}

// Version is one served version of a kind.
type Version struct {
	// Name is the version, such as v1.
	Name string
	// New returns an empty object of the version's Go type.
	New func() any
}

// Kind is a KubeVirt kind whose objects hold a VirtualMachineInstance spec.
type Kind struct {
	// Group and Kind name the kind: kubevirt.io, VirtualMachine.
	Group, Kind string
	// Versions are the versions KubeVirt's CRD serves. The first is the one
	// an object of an unserved version of the group is read as.
	Versions []Version
	// Resource is the plural resource name.
	Resource string
	// ShortNames are KubeVirt's short names (kubectl get vm).
	ShortNames []string
	// SpecPath is where the VMI spec sits in an object of this kind.
	SpecPath []string
	// Writable kinds can be changed by apply; a VMI's spec is immutable.
	Writable bool
	// Restartable kinds run one VM whose template changes reach the guest
	// on restart; the others create VMIs that keep their old template.
	Restartable bool
	// Spec returns the VMI spec of an object made by one of Versions' New,
	// and the metadata of the template that holds it (the object's own for
	// a VMI); both nil when the object has no template.
	Spec func(obj any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta)
	// Meta returns the object's own metadata.
	Meta func(obj any) *metav1.ObjectMeta
}

// APIVersion returns group/version.
func (k *Kind) APIVersion(version string) string { return k.Group + "/" + version }

// Version returns the served version named name, or nil.
func (k *Kind) Version(name string) *Version {
	for i := range k.Versions {
		if k.Versions[i].Name == name {
			return &k.Versions[i]
		}
	}
	return nil
}

// The kinds.
var (
	VirtualMachine = &Kind{
		Group: "kubevirt.io", Kind: "VirtualMachine",
		Versions: []Version{
			{"v1", func() any { return &v1.VirtualMachine{} }},
			{"v1alpha3", func() any { return &v1.VirtualMachine{} }},
		},
		Resource: "virtualmachines", ShortNames: []string{"vm", "vms"},
		SpecPath: []string{"spec", "template", "spec"},
		Writable: true, Restartable: true,
		Spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta) {
			return templateSpec(x.(*v1.VirtualMachine).Spec.Template)
		},
		Meta: func(x any) *metav1.ObjectMeta { return &x.(*v1.VirtualMachine).ObjectMeta },
	}
	VirtualMachineInstance = &Kind{
		Group: "kubevirt.io", Kind: "VirtualMachineInstance",
		Versions: []Version{
			{"v1", func() any { return &v1.VirtualMachineInstance{} }},
			{"v1alpha3", func() any { return &v1.VirtualMachineInstance{} }},
		},
		Resource: "virtualmachineinstances", ShortNames: []string{"vmi", "vmis"},
		SpecPath: []string{"spec"},
		Spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta) {
			vmi := x.(*v1.VirtualMachineInstance)
			return &vmi.Spec, &vmi.ObjectMeta
		},
		Meta: func(x any) *metav1.ObjectMeta { return &x.(*v1.VirtualMachineInstance).ObjectMeta },
	}
	VirtualMachineInstanceReplicaSet = &Kind{
		Group: "kubevirt.io", Kind: "VirtualMachineInstanceReplicaSet",
		Versions: []Version{
			{"v1", func() any { return &v1.VirtualMachineInstanceReplicaSet{} }},
			{"v1alpha3", func() any { return &v1.VirtualMachineInstanceReplicaSet{} }},
		},
		Resource: "virtualmachineinstancereplicasets", ShortNames: []string{"vmirs", "vmirss"},
		SpecPath: []string{"spec", "template", "spec"},
		Writable: true,
		Spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta) {
			return templateSpec(x.(*v1.VirtualMachineInstanceReplicaSet).Spec.Template)
		},
		Meta: func(x any) *metav1.ObjectMeta { return &x.(*v1.VirtualMachineInstanceReplicaSet).ObjectMeta },
	}
	VirtualMachinePool = &Kind{
		Group: "pool.kubevirt.io", Kind: "VirtualMachinePool",
		Versions: []Version{
			{"v1beta1", func() any { return &poolv1beta1.VirtualMachinePool{} }},
			{"v1alpha1", func() any { return &poolv1alpha1.VirtualMachinePool{} }},
		},
		Resource: "virtualmachinepools", ShortNames: []string{"vmpool", "vmpools"},
		SpecPath: []string{"spec", "virtualMachineTemplate", "spec", "template", "spec"},
		Writable: true,
		Spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta) {
			switch p := x.(type) {
			case *poolv1beta1.VirtualMachinePool:
				if vt := p.Spec.VirtualMachineTemplate; vt != nil {
					return templateSpec(vt.Spec.Template)
				}
			case *poolv1alpha1.VirtualMachinePool:
				if vt := p.Spec.VirtualMachineTemplate; vt != nil {
					return templateSpec(vt.Spec.Template)
				}
			}
			return nil, nil
		},
		Meta: func(x any) *metav1.ObjectMeta {
			if p, ok := x.(*poolv1alpha1.VirtualMachinePool); ok {
				return &p.ObjectMeta
			}
			return &x.(*poolv1beta1.VirtualMachinePool).ObjectMeta
		},
	}
)

// All lists every kind: VirtualMachine, VirtualMachineInstance,
// VirtualMachineInstanceReplicaSet, VirtualMachinePool.
var All = []*Kind{VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceReplicaSet, VirtualMachinePool}

func templateSpec(t *v1.VirtualMachineInstanceTemplateSpec) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta) {
	if t == nil {
		return nil, nil
	}
	return &t.Spec, &t.ObjectMeta
}

// Lookup finds the kind of apiVersion and kind name. served is false when
// the kind is known but KubeVirt does not serve that version; version is
// then the kind's first, which such objects are read as.
func Lookup(apiVersion, kind string) (k *Kind, version *Version, served bool) {
	group, ver, _ := strings.Cut(apiVersion, "/")
	for _, k := range All {
		if k.Group != group || k.Kind != kind {
			continue
		}
		if v := k.Version(ver); v != nil {
			return k, v, true
		}
		return k, &k.Versions[0], false
	}
	return nil, nil, false
}

// ByKind returns the kind named kind (VirtualMachine), whatever its group,
// or nil.
func ByKind(kind string) *Kind {
	for _, k := range All {
		if k.Kind == kind {
			return k
		}
	}
	return nil
}
