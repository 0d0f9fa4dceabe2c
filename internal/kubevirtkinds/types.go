package kubevirtkinds

import (
	"reflect"

	v1 "kubevirt.io/api/core/v1"
	poolv1alpha1 "kubevirt.io/api/pool/v1alpha1"
	poolv1beta1 "kubevirt.io/api/pool/v1beta1"
)

// PreserveUnknownFields returns the fields of struct type t that KubeVirt's
// CRDs mark x-kubernetes-preserve-unknown-fields: embedded template metadata
// and domain.clock. The API server keeps whatever is written there, so an
// unknown key in them is not a mistake it would report.
func PreserveUnknownFields(t reflect.Type) []string { return preserveUnknown[t] }

var preserveUnknown = map[reflect.Type][]string{
	reflect.TypeOf(v1.VirtualMachineInstanceTemplateSpec{}):   {"metadata"},
	reflect.TypeOf(v1.DataVolumeTemplateSpec{}):               {"metadata"},
	reflect.TypeOf(poolv1beta1.VirtualMachineTemplateSpec{}):  {"metadata"},
	reflect.TypeOf(poolv1alpha1.VirtualMachineTemplateSpec{}): {"metadata"},
	reflect.TypeOf(v1.DomainSpec{}):                           {"clock"},
}

// WalkDespiteUnmarshaler reports whether t is a kubevirt.io/api type whose
// UnmarshalJSON only post-processes a plain decode, so that a strict decoder
// should walk its fields (and find their unknown ones) instead of calling it.
func WalkDespiteUnmarshaler(t reflect.Type) bool { return walkDespite[t] }

var walkDespite = map[reflect.Type]bool{
	reflect.TypeOf(v1.VirtualMachineInstanceSpec{}): true,
	reflect.TypeOf(v1.PodNetwork{}):                 true,
	reflect.TypeOf(v1.DHCPOptions{}):                true,
}
