package validate

import (
	"reflect"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/internal/yamldecode"
)

// FragmentKind is the kind vmhealth gives a documentation snippet that has no
// apiVersion and kind but is recognisably part of a VirtualMachine.
const FragmentKind = "(fragment)"

// fragmentShape is one way a snippet can be cut out of a VirtualMachine: the
// keys that must stand at its top, the type its top level decodes as, and
// the path from the VMI's root down to the snippet.
type fragmentShape struct {
	topType reflect.Type
	// wrap lists the keys under which the snippet sits in a whole
	// VirtualMachineInstance, outermost first.
	wrap []string
	// marker finds a health check in the snippet, which is what makes it
	// worth linting.
	markers []string
	// vm is set when the snippet sits in a VirtualMachine rather than a
	// VirtualMachineInstance.
	vm bool
}

var fragmentShapes = []fragmentShape{
	// spec: {template: {spec: {...}}} — a VirtualMachine without its head.
	{topType: reflect.TypeOf(v1.VirtualMachine{}), markers: healthMarkers(kubevirtkinds.VirtualMachine.SpecPath)},
	// spec: {readinessProbe: …} — a VirtualMachineInstance without its head.
	{topType: reflect.TypeOf(v1.VirtualMachineInstance{}), markers: healthMarkers(kubevirtkinds.VirtualMachineInstance.SpecPath)},
	// readinessProbe: … — a VMI spec.
	{topType: reflect.TypeOf(v1.VirtualMachineInstanceSpec{}), wrap: kubevirtkinds.VirtualMachineInstance.SpecPath, markers: healthMarkers(nil)},
	// template: {spec: …} — a VirtualMachine's spec.
	{topType: reflect.TypeOf(v1.VirtualMachineSpec{}), wrap: kubevirtkinds.VirtualMachine.SpecPath[:1], vm: true,
		markers: healthMarkers(kubevirtkinds.VirtualMachine.SpecPath[1:])},
	// devices: {watchdog: …} — a domain, as the docs show the watchdog.
	{topType: reflect.TypeOf(v1.DomainSpec{}), wrap: slices.Concat(kubevirtkinds.VirtualMachineInstance.SpecPath, kubevirtkinds.WatchdogPath[:1]),
		markers: []string{strings.Join(kubevirtkinds.WatchdogPath[1:], ".")}},
	// watchdog: … — the devices of a domain.
	{topType: reflect.TypeOf(v1.Devices{}), wrap: slices.Concat(kubevirtkinds.VirtualMachineInstance.SpecPath, kubevirtkinds.WatchdogPath[:2]),
		markers: kubevirtkinds.WatchdogPath[2:]},
}

// healthMarkers are the paths of the health checks in a VMI spec at
// specPath.
func healthMarkers(specPath []string) []string {
	var out []string
	for _, f := range [][]string{{"readinessProbe"}, {"livenessProbe"}, kubevirtkinds.WatchdogPath} {
		out = append(out, strings.Join(slices.Concat(specPath, f), "."))
	}
	return out
}

// matchFragment returns the shape of a snippet, if it is one: every top-level
// key must be a field of the shape's type and a health check must be in it.
// Anything else without apiVersion and kind (Helm values, other configs) is
// left alone.
func matchFragment(n *yaml.Node) (fragmentShape, bool) {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return fragmentShape{}, false
	}
	for _, shape := range fragmentShapes {
		names, _ := yamldecode.FieldNames(shape.topType, "")
		ok := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !slices.Contains(names, n.Content[i].Value) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, m := range shape.markers {
			if lookup(n, m) != nil {
				return shape, true
			}
		}
	}
	return fragmentShape{}, false
}

// wrapFragment embeds the snippet in a synthetic VirtualMachineInstance node
// tree. The snippet's own nodes keep their positions; the synthetic ones take
// the snippet's first position, so that whatever a finding points at is in
// what the user wrote.
func wrapFragment(n *yaml.Node, shape fragmentShape) *yaml.Node {
	if shape.topType == reflect.TypeOf(v1.VirtualMachine{}) || shape.topType == reflect.TypeOf(v1.VirtualMachineInstance{}) {
		return n
	}
	cur := n
	for i := len(shape.wrap) - 1; i >= 0; i-- {
		cur = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: shape.wrap[i], Line: n.Line, Column: n.Column}, cur,
		}}
	}
	return cur
}

// fragmentKindInfo returns how to read the wrapped snippet.
func fragmentKindInfo(shape fragmentShape) kindInfo {
	if shape.vm || shape.topType == reflect.TypeOf(v1.VirtualMachine{}) {
		return vmKind()
	}
	return vmiKind()
}
