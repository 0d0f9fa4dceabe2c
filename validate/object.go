package validate

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
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
	// userData caches userDataOf, which four rules ask for: parsing
	// cloud-config is a good part of linting a VM. An object is checked
	// by one goroutine at a time, so a plain field will do.
	userData     []userData
	userDataRead bool
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

// kindInfo says how to decode one kind and where its VMI spec lives: the
// kind's row of the kinds table, at one version.
type kindInfo struct {
	newTyped func() any
	// spec extracts the VMI spec, its template metadata and the spec's path.
	spec func(any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta, *field.Path)
	meta func(any) *metav1.ObjectMeta
}

// specPaths are the kinds' SpecPaths as field paths, built once.
var specPaths = func() map[*kubevirtkinds.Kind]*field.Path {
	m := map[*kubevirtkinds.Kind]*field.Path{}
	for _, k := range kubevirtkinds.All {
		m[k] = field.NewPath(k.SpecPath[0], k.SpecPath[1:]...)
	}
	return m
}()

// kindInfoOf makes the kindInfo of a kind read as version.
func kindInfoOf(k *kubevirtkinds.Kind, version *kubevirtkinds.Version) kindInfo {
	path := specPaths[k]
	return kindInfo{
		newTyped: version.New,
		meta:     k.Meta,
		spec: func(x any) (*v1.VirtualMachineInstanceSpec, *metav1.ObjectMeta, *field.Path) {
			spec, meta := k.Spec(x)
			return spec, meta, path
		},
	}
}

func vmKind() kindInfo {
	return kindInfoOf(kubevirtkinds.VirtualMachine, &kubevirtkinds.VirtualMachine.Versions[0])
}

func vmiKind() kindInfo {
	return kindInfoOf(kubevirtkinds.VirtualMachineInstance, &kubevirtkinds.VirtualMachineInstance.Versions[0])
}

// kindFor returns how to read apiVersion/kind. served is false for a
// KubeVirt kind at an apiVersion that KubeVirt no longer serves; it is then
// read with the current types anyway.
func kindFor(apiVersion, kind string) (info kindInfo, known, served bool) {
	k, version, served := kubevirtkinds.Lookup(apiVersion, kind)
	if k == nil {
		return kindInfo{}, false, false
	}
	return kindInfoOf(k, version), true, served
}

// IsKubeVirtKind reports whether vmhealth lints objects of this kind.
func IsKubeVirtKind(apiVersion, kind string) bool {
	_, known, _ := kindFor(apiVersion, kind)
	return known
}
