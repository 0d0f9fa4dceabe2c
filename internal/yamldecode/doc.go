// Package yamldecode is vmhealth's one decoder of YAML into Go values: it
// fills a Go value from a go-yaml node tree by the value's field names and
// reports, at the node where each is written, every unknown field,
// duplicate key, value of the wrong type and value YAML 1.1 tools read
// differently, instead of stopping at the first. Aliases and merge keys
// work; alias bombs and deep nesting end in an issue, not in all the
// machine's memory.
//
// validate decodes KubeVirt objects with it, config decodes .vmhealth.yaml
// and gen reads the VirtualMachineInstance spec of the file it edits; each
// words the issues its own way.
package yamldecode
