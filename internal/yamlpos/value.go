package yamlpos

// The same walk over JSON values as unstructured objects hold them
// (map[string]any, []any, scalars), for the cluster side: what apply reads
// from and writes to the API server.

// GetValue returns the value at the field path in m (keys only, as
// kubevirtkinds writes spec paths), and whether it is there.
func GetValue(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, seg := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// SetValue sets the value at the field path in m, creating maps on the way
// and replacing anything that is not a map. An empty path changes nothing.
func SetValue(m map[string]any, path []string, v any) {
	if len(path) == 0 {
		return
	}
	for _, seg := range path[:len(path)-1] {
		next, ok := m[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[seg] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}
