package probespec

import (
	"fmt"
	"slices"
	"testing"
	"unicode"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"
)

// wantErr is an expected field error: tests compare type and path, never
// the wording.
type wantErr struct {
	typ   field.ErrorType
	field string
}

func (w wantErr) String() string { return fmt.Sprintf("%s at %s", w.typ, w.field) }

func invalid(f string) wantErr      { return wantErr{field.ErrorTypeInvalid, f} }
func required(f string) wantErr     { return wantErr{field.ErrorTypeRequired, f} }
func notSupported(f string) wantErr { return wantErr{field.ErrorTypeNotSupported, f} }
func forbidden(f string) wantErr    { return wantErr{field.ErrorTypeForbidden, f} }

// assertErrors fails t unless got holds exactly want, in order, and every
// detail is written for a user: present and starting in lower case.
func assertErrors(t *testing.T, got field.ErrorList, want []wantErr) {
	t.Helper()
	gotKeys := make([]wantErr, 0, len(got))
	for _, e := range got {
		gotKeys = append(gotKeys, wantErr{e.Type, e.Field})
		if e.Detail == "" && e.Type != field.ErrorTypeNotSupported {
			t.Errorf("%s: empty detail", e.Field)
		}
		if r := []rune(e.Detail); len(r) > 0 && unicode.IsUpper(r[0]) {
			t.Errorf("%s: detail %q starts in upper case", e.Field, e.Detail)
		}
	}
	if len(want) == 0 {
		want = []wantErr{}
	}
	if !slices.Equal(gotKeys, want) {
		t.Errorf("errors = %v, want %v\nfull: %v", gotKeys, want, got)
	}
}

// probePath and specPath are the paths the tests report against.
var (
	probePath = field.NewPath("spec", "template", "spec", "livenessProbe")
	specPath  = field.NewPath("spec", "template", "spec")
)

const (
	lp = "spec.template.spec.livenessProbe"
	rp = "spec.template.spec.readinessProbe"
	sp = "spec.template.spec"
)

func ptr[T any](v T) *T { return &v }

// podSpec returns a VMI spec on the pod network through an interface with
// the given binding, with the given probes.
func podSpec(binding v1.InterfaceBindingMethod, readiness, liveness *v1.Probe) *v1.VirtualMachineInstanceSpec {
	spec := &v1.VirtualMachineInstanceSpec{
		Networks:       []v1.Network{{Name: "default", NetworkSource: v1.NetworkSource{Pod: &v1.PodNetwork{}}}},
		ReadinessProbe: readiness,
		LivenessProbe:  liveness,
	}
	spec.Domain.Devices.Interfaces = []v1.Interface{{Name: "default", InterfaceBindingMethod: binding}}
	return spec
}

var (
	masquerade = v1.InterfaceBindingMethod{Masquerade: &v1.InterfaceMasquerade{}}
	bridge     = v1.InterfaceBindingMethod{Bridge: &v1.InterfaceBridge{}}
)
