package yamlpos

import (
	"reflect"
	"testing"
)

func TestGetSetValue(t *testing.T) {
	m := map[string]any{"spec": map[string]any{"running": true, "template": "not a map"}}
	if v, ok := GetValue(m, []string{"spec", "running"}); !ok || v != true {
		t.Errorf("GetValue(spec.running) = %v, %v", v, ok)
	}
	if _, ok := GetValue(m, []string{"spec", "template", "spec"}); ok {
		t.Error("GetValue went through a string")
	}
	SetValue(m, []string{"spec", "template", "spec", "domain"}, map[string]any{})
	want := map[string]any{"spec": map[string]any{"running": true, "template": map[string]any{"spec": map[string]any{"domain": map[string]any{}}}}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("after SetValue: %v, want %v", m, want)
	}
	SetValue(m, nil, 1)
	if !reflect.DeepEqual(m, want) {
		t.Errorf("SetValue with no path changed %v", m)
	}
}
