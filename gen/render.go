package gen

import (
	"fmt"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
)

// Target is the kind of object a stanza is positioned for.
type Target string

const (
	// TargetVM places the stanza under spec.template.spec of a
	// VirtualMachine.
	TargetVM Target = "vm"
	// TargetVMI places it under spec of a VirtualMachineInstance.
	TargetVMI Target = "vmi"
)

// Targets lists the targets, for flags and help.
var Targets = []Target{TargetVM, TargetVMI}

// SpecPath is where the VMI spec sits in an object of the target kind.
func (t Target) SpecPath() []string { return t.kind().SpecPath }

// Kind is the Kubernetes kind of the target.
func (t Target) Kind() string { return t.kind().Kind }

// kind is the target's row of the kinds table.
func (t Target) kind() *kubevirtkinds.Kind {
	if t == TargetVMI {
		return kubevirtkinds.VirtualMachineInstance
	}
	return kubevirtkinds.VirtualMachine
}

// Format is an output format of a stanza.
type Format string

const (
	// FormatYAML writes the stanza as YAML, nested as in the object.
	FormatYAML Format = "yaml"
	// FormatJSON writes the same as indented JSON.
	FormatJSON Format = "json"
	// FormatPatch writes a JSON merge patch on one line, for
	// kubectl patch --type merge -p. Fields of a probe or watchdog that
	// the stanza leaves out are null in it, so the patch replaces a
	// probe already in the object rather than merging with it.
	FormatPatch Format = "patch"
)

// Formats lists the formats, for flags and help.
var Formats = []Format{FormatYAML, FormatJSON, FormatPatch}

// specNode returns the stanza's fields of a VMI spec, in the order
// domain, readinessProbe, livenessProbe.
func (s *Stanza) specNode(forPatch bool) *yaml.Node {
	spec := mapNode()
	if s.Watchdog != nil {
		setKey(spec, kubevirtkinds.WatchdogPath[0], nest(watchdogNode(s.Watchdog, forPatch), kubevirtkinds.WatchdogPath[1:]...))
	}
	if s.Readiness != nil {
		setKey(spec, "readinessProbe", probeNode(s.Readiness, forPatch))
	}
	if s.Liveness != nil {
		setKey(spec, "livenessProbe", probeNode(s.Liveness, forPatch))
	}
	return spec
}

// Node returns the stanza nested as in an object of the target kind:
// {spec: {template: {spec: …}}} for a VirtualMachine.
func (s *Stanza) Node(target Target) *yaml.Node {
	return nest(s.specNode(false), target.SpecPath()...)
}

// Render writes the stanza in the format, positioned for the target.
func (s *Stanza) Render(format Format, target Target) ([]byte, error) {
	switch format {
	case FormatYAML:
		return encodeYAML(s.Node(target))
	case FormatJSON:
		return encodeJSON(s.Node(target), "  ")
	case FormatPatch:
		return encodeJSON(nest(s.specNode(true), target.SpecPath()...), "")
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// probePort returns the port of an httpGet or tcpSocket probe.
func probePort(p *v1.Probe) (intstr.IntOrString, bool) {
	switch {
	case p == nil:
	case p.HTTPGet != nil:
		return p.HTTPGet.Port, true
	case p.TCPSocket != nil:
		return p.TCPSocket.Port, true
	}
	return intstr.IntOrString{}, false
}

// probePortName returns the port name of an httpGet or tcpSocket probe,
// or "" when the port is a number or the probe has no port.
func probePortName(p *v1.Probe) string {
	port, _ := probePort(p)
	return port.StrVal
}
