package policy

import (
	"strings"
	"sync"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/vmhealth/vmhealth/validate"
)

func TestCompileShippedRules(t *testing.T) {
	for _, arch := range []string{"", "s390x", "arm64"} {
		for _, noIgnore := range []bool{false, true} {
			set, err := Generate(Options{Architecture: arch, NoIgnoreAnnotation: noIgnore})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range Compile(set) {
				t.Errorf("arch %q, no ignore %v: %v", arch, noIgnore, e)
			}
		}
	}
}

// brokenRegistry holds one rule whose CEL does not compile, next to one
// that does.
func brokenRegistry(t *testing.T, v validate.CELValidation) *validate.Registry {
	t.Helper()
	reg := validate.NewRegistry()
	for _, r := range []*validate.Rule{
		{ID: "good", Severity: validate.SeverityError, CEL: &validate.CELRule{Validations: []validate.CELValidation{{
			Scope: validate.CELScopeProbe, Expression: "has(probe.exec)", Message: "fine",
		}}}},
		{ID: "broken", Severity: validate.SeverityError, CEL: &validate.CELRule{Validations: []validate.CELValidation{v}}},
	} {
		if err := reg.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

func TestCompileBrokenExpression(t *testing.T) {
	tests := []struct {
		name      string
		v         validate.CELValidation
		wantField string
		wantMsg   string
	}{
		{
			name:      "syntax",
			v:         validate.CELValidation{Expression: "variables.spec.livenessProbe.successThreshold <= ", Message: "m"},
			wantField: "spec.validations[0].expression",
			wantMsg:   "Syntax error",
		},
		{
			name:      "undeclared name",
			v:         validate.CELValidation{Expression: "variables.spec.livenessProbe == prob", Message: "m"},
			wantField: "spec.validations[0].expression",
			wantMsg:   "undeclared reference to 'prob'",
		},
		{
			name:      "not a boolean",
			v:         validate.CELValidation{Expression: "size(variables.networks)", Message: "m"},
			wantField: "spec.validations[0].expression",
			wantMsg:   "expected type 'bool' but found 'int'",
		},
		{
			name: "message expression",
			v: validate.CELValidation{Scope: validate.CELScopeLivenessProbe, Expression: "true", Message: "m",
				MessageExpression: "'value ' + probe.successThreshold.format()"},
			wantField: "spec.validations[0].messageExpression",
			wantMsg:   "found no matching overload for 'format'",
		},
		{
			name:      "a library newer than Kubernetes 1.30",
			v:         validate.CELValidation{Expression: "variables.networks.all(i, n, i >= 0)", Message: "m"},
			wantField: "spec.validations[0].expression",
			wantMsg:   "undeclared reference",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Generate(Options{Registry: brokenRegistry(t, tt.v)})
			if err != nil {
				t.Fatal(err)
			}
			errs := Compile(set)
			// Every kind's policy carries the broken validation.
			if len(errs) != len(Kinds) {
				t.Fatalf("%d errors, want %d: %v", len(errs), len(Kinds), errs)
			}
			for _, e := range errs {
				if e.RuleID != "broken" || e.Field != tt.wantField || !strings.Contains(e.Detail, tt.wantMsg) {
					t.Errorf("got %v\nwant rule broken at %s, containing %q", e, tt.wantField, tt.wantMsg)
				}
				if !strings.Contains(e.Error(), "(from rule broken)") {
					t.Errorf("Error() does not name the rule: %s", e.Error())
				}
			}
		})
	}
}

var (
	crdsOnce sync.Once
	crds     []*apiextensionsv1.CustomResourceDefinition
	crdsErr  error
)

func kubevirtCRDs(t *testing.T) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	crdsOnce.Do(func() { crds, crdsErr = ReadCRDs("../testdata/crds") })
	if crdsErr != nil {
		t.Fatal(crdsErr)
	}
	return crds
}

// TestTypeCheckShippedRules checks every field the rules read, through
// variables.spec too, against KubeVirt's schemas.
func TestTypeCheckShippedRules(t *testing.T) {
	set, err := Generate(Options{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := TypeCheck(set, kubevirtCRDs(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Error(e)
	}
}

func TestTypeCheckMisspeltField(t *testing.T) {
	set, err := Generate(Options{Registry: brokenRegistry(t, validate.CELValidation{
		Expression: "!has(variables.spec.livenessProbe) || variables.spec.livenessProbe.?sucessThreshold.orValue(1) == 1", Message: "m",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if errs := Compile(set); len(errs) > 0 {
		t.Fatalf("a misspelt field compiles with a dynamic object, yet: %v", errs)
	}
	errs, err := TypeCheck(set, kubevirtCRDs(t))
	if err != nil {
		t.Fatal(err)
	}
	// One for each served version of each kind: v1 and v1alpha3, or
	// v1beta1 and v1alpha1 for pools.
	if len(errs) != 2*len(Kinds) {
		t.Fatalf("%d errors, want one for each version of each kind: %v", len(errs), errs)
	}
	for _, e := range errs {
		if e.RuleID != "broken" || e.Field != "spec.validations[0].expression" || !strings.Contains(e.Detail, "undefined field 'sucessThreshold'") {
			t.Errorf("got %v", e)
		}
	}
}

func TestTypeCheckNoKubeVirtCRD(t *testing.T) {
	set, err := Generate(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TypeCheck(set, nil); err == nil {
		t.Error("no error without CRDs")
	}
}

func TestReadCRDs(t *testing.T) {
	got := kubevirtCRDs(t)
	if len(got) < len(Kinds) {
		t.Fatalf("read %d CRDs", len(got))
	}
	list := `{"apiVersion": "v1", "kind": "List", "items": [
	  {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "a.example.com"}},
	  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}]}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: c.example.com
`
	crds, err := decodeCRDs([]byte(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) != 2 || crds[0].Name != "a.example.com" || crds[1].Name != "c.example.com" {
		t.Errorf("decoded %d CRDs", len(crds))
	}
}

// FuzzDecodeCRDs feeds ReadCRDs' decoder arbitrary files: it may refuse
// them, never panic.
func FuzzDecodeCRDs(f *testing.F) {
	f.Add([]byte(`{"apiVersion": "v1", "kind": "List", "items": [{"kind": "CustomResourceDefinition"}]}`))
	f.Add([]byte("kind: CustomResourceDefinition\nspec:\n  versions: [{name: v1}]\n---\nkind: List\nitems: 3\n"))
	f.Add([]byte("- a\n- b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = decodeCRDs(data)
	})
}
