package validate

import (
	"slices"
	"testing"
)

// TestFieldNamesAsUnknownFieldSees: the names offered are the ones the
// decoder accepts, so a typo is not among them and its correction is.
func TestFieldNamesAsUnknownFieldSees(t *testing.T) {
	got := FieldNames("kubevirt.io/v1", "VirtualMachine", "spec.template.spec.readinessProbe")
	if !slices.Contains(got, "periodSeconds") || slices.Contains(got, "periodSecond") || !slices.IsSorted(got) {
		t.Errorf("readinessProbe fields: %v", got)
	}
	if got := FieldNames("kubevirt.io/v1", "VirtualMachine", "spec.template.metadata"); got != nil {
		t.Errorf("template metadata keeps unknown fields, so it offers none: %v", got)
	}
	if got := FieldNames("apps/v1", "Deployment", "spec"); got != nil {
		t.Errorf("a Deployment: %v", got)
	}
}
