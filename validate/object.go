package validate

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"
	poolv1alpha1 "kubevirt.io/api/pool/v1alpha1"
	poolv1beta1 "kubevirt.io/api/pool/v1beta1"
)

// Object is one KubeVirt object found in the input, decoded into the
// kubevirt.io/api types, with the YAML node tree it came from.
type Object struct {
	Ref ObjectRef
	// File and Document say where the object was read; File is empty for
	// objects read from a cluster.
	File     string
	Document int
	// Node is the object's mapping node. Positions in it are relative to the
	// document; Position adds the document's offset in the file.
	Node *yaml.Node
	// Typed is the decoded object: *v1.VirtualMachine,
	// *v1.VirtualMachineInstance, *v1.VirtualMachineInstanceReplicaSet,
	// *poolv1beta1.VirtualMachinePool or *poolv1alpha1.VirtualMachinePool.
	Typed any
	// Meta is the object's metadata.
	Meta *metav1.ObjectMeta
	// Spec is the VirtualMachineInstance spec that holds the health checks,
	// nil when the object has none (a VirtualMachine without a template).
	Spec *v1.VirtualMachineInstanceSpec
	// SpecPath is where Spec sits in the object: spec for a VMI,
	// spec.template.spec for a VM or ReplicaSet,
	// spec.virtualMachineTemplate.spec.template.spec for a pool.
	SpecPath *field.Path
	// TemplateLabels are the labels the VMI will carry, which Services select.
	TemplateLabels map[string]string
	// InTemplate is set for objects of an OpenShift Template, whose values
	// may be ${PARAMETERS}.
	InTemplate bool

	lineOffset int
	// stopped is set when decoding gave up (too complex an object): rules
	// do not judge what was not decoded.
	stopped bool
	// ignored are the rules the object's vmhealth.io/ignore annotation
	// silences.
	ignored ignoreSet
	// badPaths are the fields whose values could not be decoded (wrong type,
	// template parameter): they hold zero values that rules must not judge.
	badPaths []string
}

// undecoded reports whether path is, or lies under or over, a field whose
// value could not be decoded.
func (o *Object) undecoded(path string) bool {
	for _, b := range o.badPaths {
		if path == b || strings.HasPrefix(path, b+".") || strings.HasPrefix(path, b+"[") || strings.HasPrefix(b, path+".") {
			return true
		}
	}
	return false
}

// Position returns the 1-based line and column of the field at path
// (relative to the object), or of its nearest ancestor that is written, or
// 0, 0 when the object has no source positions.
func (o *Object) Position(path string) (line, col int) {
	n := locate(o.Node, path)
	if n == nil || n.Line == 0 {
		return 0, 0
	}
	return n.Line + o.lineOffset, n.Column
}

// Written reports whether the field at path is present in the input, which
// tells an explicit zero from an omitted field.
func (o *Object) Written(path string) bool {
	return lookup(o.Node, path) != nil
}

// kindInfo says how to decode one kind and where its VMI spec lives.
type kindInfo struct {
	newTyped func() any
	// spec extracts the VMI spec, its template metadata and the spec's path.
	spec func(any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta, *field.Path)
	meta func(any) *metav1.ObjectMeta
}

var (
	vmiSpecPath  = field.NewPath("spec")
	tmplSpecPath = field.NewPath("spec", "template", "spec")
	poolSpecPath = field.NewPath("spec", "virtualMachineTemplate", "spec", "template", "spec")
)

func vmKind() kindInfo {
	return kindInfo{
		newTyped: func() any { return &v1.VirtualMachine{} },
		meta:     func(x any) *metav1.ObjectMeta { return &x.(*v1.VirtualMachine).ObjectMeta },
		spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta, *field.Path) {
			t := x.(*v1.VirtualMachine).Spec.Template
			if t == nil {
				return nil, nil, tmplSpecPath
			}
			return &t.Spec, &t.ObjectMeta, tmplSpecPath
		},
	}
}

func vmiKind() kindInfo {
	return kindInfo{
		newTyped: func() any { return &v1.VirtualMachineInstance{} },
		meta:     func(x any) *metav1.ObjectMeta { return &x.(*v1.VirtualMachineInstance).ObjectMeta },
		spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta, *field.Path) {
			vmi := x.(*v1.VirtualMachineInstance)
			return &vmi.Spec, &vmi.ObjectMeta, vmiSpecPath
		},
	}
}

func vmirsKind() kindInfo {
	return kindInfo{
		newTyped: func() any { return &v1.VirtualMachineInstanceReplicaSet{} },
		meta:     func(x any) *metav1.ObjectMeta { return &x.(*v1.VirtualMachineInstanceReplicaSet).ObjectMeta },
		spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta, *field.Path) {
			t := x.(*v1.VirtualMachineInstanceReplicaSet).Spec.Template
			if t == nil {
				return nil, nil, tmplSpecPath
			}
			return &t.Spec, &t.ObjectMeta, tmplSpecPath
		},
	}
}

func poolBeta1Kind() kindInfo {
	return kindInfo{
		newTyped: func() any { return &poolv1beta1.VirtualMachinePool{} },
		meta:     func(x any) *metav1.ObjectMeta { return &x.(*poolv1beta1.VirtualMachinePool).ObjectMeta },
		spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta, *field.Path) {
			vt := x.(*poolv1beta1.VirtualMachinePool).Spec.VirtualMachineTemplate
			if vt == nil || vt.Spec.Template == nil {
				return nil, nil, poolSpecPath
			}
			return &vt.Spec.Template.Spec, &vt.Spec.Template.ObjectMeta, poolSpecPath
		},
	}
}

func poolAlpha1Kind() kindInfo {
	return kindInfo{
		newTyped: func() any { return &poolv1alpha1.VirtualMachinePool{} },
		meta:     func(x any) *metav1.ObjectMeta { return &x.(*poolv1alpha1.VirtualMachinePool).ObjectMeta },
		spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta, *field.Path) {
			vt := x.(*poolv1alpha1.VirtualMachinePool).Spec.VirtualMachineTemplate
			if vt == nil || vt.Spec.Template == nil {
				return nil, nil, poolSpecPath
			}
			return &vt.Spec.Template.Spec, &vt.Spec.Template.ObjectMeta, poolSpecPath
		},
	}
}

// servedKinds maps group/version and kind to how vmhealth reads them: the
// versions KubeVirt's CRDs serve today.
var servedKinds = map[string]map[string]func() kindInfo{
	"kubevirt.io/v1": {
		"VirtualMachine": vmKind, "VirtualMachineInstance": vmiKind, "VirtualMachineInstanceReplicaSet": vmirsKind,
	},
	"kubevirt.io/v1alpha3": {
		"VirtualMachine": vmKind, "VirtualMachineInstance": vmiKind, "VirtualMachineInstanceReplicaSet": vmirsKind,
	},
	"pool.kubevirt.io/v1beta1":  {"VirtualMachinePool": poolBeta1Kind},
	"pool.kubevirt.io/v1alpha1": {"VirtualMachinePool": poolAlpha1Kind},
}

// kindFor returns how to read apiVersion/kind. served is false for a
// KubeVirt kind at an apiVersion that KubeVirt no longer serves; it is then
// read with the current types anyway.
func kindFor(apiVersion, kind string) (info kindInfo, known, served bool) {
	if k, ok := servedKinds[apiVersion][kind]; ok {
		return k(), true, true
	}
	group, _, _ := strings.Cut(apiVersion, "/")
	switch {
	case group == "kubevirt.io" && servedKinds["kubevirt.io/v1"][kind] != nil:
		return servedKinds["kubevirt.io/v1"][kind](), true, false
	case group == "pool.kubevirt.io" && kind == "VirtualMachinePool":
		return poolBeta1Kind(), true, false
	}
	return kindInfo{}, false, false
}

// IsKubeVirtKind reports whether vmhealth lints objects of this kind.
func IsKubeVirtKind(apiVersion, kind string) bool {
	_, known, _ := kindFor(apiVersion, kind)
	return known
}
