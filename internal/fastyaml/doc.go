// Package fastyaml parses the plain block YAML that Kubernetes manifests
// are nearly always written in into the same go-yaml nodes that
// go.yaml.in/yaml/v3 builds, several times faster, and declines
// everything else.
//
// Parse accepts a deliberately small part of YAML: block mappings and
// sequences indented with spaces, plain scalars on one line, single- and
// double-quoted scalars on one line with the common escapes, literal block
// scalars (| and |-), one-line flow sequences of scalars, {} and [],
// comments, and a leading "---". Anything else — anchors, aliases, tags,
// folded or multi-line scalars, tabs, carriage returns, non-ASCII bytes,
// and every input go-yaml would reject — makes it return Unsupported
// without touching the node, and the caller parses the input with go-yaml
// as before. Declining is always safe; accepting is only ever done where
// the result is the node tree go-yaml builds, field for field, except the
// comment fields, which Parse leaves empty.
//
// The tests hold it to that: every YAML file of the repository, both
// benchmark corpora and tens of thousands of mutations of them are parsed
// both ways, and wherever Parse accepts, the trees must be equal and
// go-yaml must accept too.
package fastyaml
