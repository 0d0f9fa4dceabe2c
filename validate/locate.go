package validate

import (
	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// locate returns the node to point a user at for the field at path: the key
// that names it, or the nearest written ancestor's key.
func locate(root *yaml.Node, path string) *yaml.Node { return yamlpos.Locate(root, path) }

// lookup returns the value at path, or nil when it is not written.
func lookup(root *yaml.Node, path string) *yaml.Node { return yamlpos.Lookup(root, path) }

// resolve follows aliases and unwraps document nodes.
func resolve(n *yaml.Node) *yaml.Node { return yamlpos.Resolve(n) }
