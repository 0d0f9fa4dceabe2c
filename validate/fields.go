package validate

import "slices"

// FieldNames returns the JSON names of the fields that the object kind
// apiVersion/kind has at path (relative to the object, as in a Finding's
// Field: spec.template.spec.readinessProbe), sorted; nil when the kind is
// not a KubeVirt kind or path is not a typed struct of it. Editors'
// completion reads it, so it offers exactly the fields that unknown-field
// accepts.
func FieldNames(apiVersion, kind, path string) []string {
	ti := typeAt(apiVersion, kind, path)
	if ti == nil || ti.st == nil {
		return nil
	}
	out := slices.Clone(ti.st.names)
	slices.Sort(out)
	return slices.Compact(out)
}
