package apply

import (
	"reflect"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// Helpers for JSON values as unstructured objects hold them: map[string]any,
// []any, string, int64, float64, bool and nil.

func deepCopy(v any) any { return runtime.DeepCopyJSONValue(v) }

// mapAt returns the map at path, or nil.
func mapAt(m map[string]any, path []string) map[string]any {
	v, _ := yamlpos.GetValue(m, path)
	mm, _ := v.(map[string]any)
	return mm
}

// jsonEqual compares JSON values, treating an integral float64 and the same
// int64 alike (both appear, depending on who decoded the value).
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	case int64:
		if f, ok := b.(float64); ok {
			return float64(a) == f
		}
	case float64:
		if i, ok := b.(int64); ok {
			return a == float64(i)
		}
	}
	return reflect.DeepEqual(a, b)
}

func groupKind(apiVersion, kind string) schema.GroupKind {
	gv, _ := schema.ParseGroupVersion(apiVersion)
	return schema.GroupKind{Group: gv.Group, Kind: kind}
}
