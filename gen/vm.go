package gen

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// Names of what a generated VM holds.
const (
	podNetworkName  = "default"
	containerDisk   = "containerdisk"
	cloudInitDisk   = "cloudinitdisk"
	defaultMemory   = "2Gi"
	lintObjectName  = "vmhealth-gen"
	lintFileName    = "generated.yaml"
	defaultTemplate = "kubevirt.io/vm"
)

// VMOptions describe the minimal object VirtualMachine writes around a
// stanza.
type VMOptions struct {
	// Name is the object's name, a DNS-1123 subdomain.
	Name string
	// Namespace is left out when empty.
	Namespace string
	// Target is TargetVM (a VirtualMachine with runStrategy Always) or
	// TargetVMI.
	Target Target
	// Image is the container disk image; empty means the default image of
	// the stanza's guest OS.
	Image string
	// Memory is the guest's memory request; empty means 2Gi.
	Memory string
}

// VirtualMachine returns a minimal object holding the stanza: a container
// disk, the pod network with a masquerade interface (forwarding every
// port, or declaring the named probe ports and then every probe port) and,
// when the stanza has its guest side, a cloud-init disk with it.
func (s *Stanza) VirtualMachine(opts VMOptions) (*yaml.Node, error) {
	if msgs := validation.IsDNS1123Subdomain(opts.Name); len(msgs) > 0 {
		return nil, fmt.Errorf("invalid VM name %q: %s", opts.Name, msgs[0])
	}
	if opts.Image == "" {
		guest := s.GuestOS
		if guest == "" {
			guest = GuestFedora
		}
		opts.Image = guest.DefaultImage()
	}
	if opts.Memory == "" {
		opts.Memory = defaultMemory
	}
	target := opts.Target
	if target == "" {
		target = TargetVM
	}

	iface := mapNode("name", strNode(podNetworkName), "masquerade", emptyMap())
	if ports := s.interfacePorts(); ports != nil {
		setKey(iface, "ports", ports)
	}
	disks := seqNode(mapNode("name", strNode(containerDisk), "disk", mapNode("bus", strNode("virtio"))))
	volumes := seqNode(mapNode("name", strNode(containerDisk), "containerDisk", mapNode("image", strNode(opts.Image))))
	if s.CloudInit != nil {
		userData, err := s.CloudInit.Marshal()
		if err != nil {
			return nil, err
		}
		disks.Content = append(disks.Content, mapNode("name", strNode(cloudInitDisk), "disk", mapNode("bus", strNode("virtio"))))
		volumes.Content = append(volumes.Content, mapNode("name", strNode(cloudInitDisk),
			"cloudInitNoCloud", mapNode("userData", literal(string(userData)))))
	}
	devices := mapNode("disks", disks, "interfaces", seqNode(iface))
	if s.Watchdog != nil {
		setKey(devices, kubevirtkinds.WatchdogPath[2], watchdogNode(s.Watchdog, false))
	}
	spec := mapNode()
	if s.Arch != "" {
		setKey(spec, "architecture", strNode(s.Arch))
	}
	setKey(spec, "domain", mapNode(
		"devices", devices,
		"resources", mapNode("requests", mapNode("memory", strNode(opts.Memory)))))
	setKey(spec, "networks", seqNode(mapNode("name", strNode(podNetworkName), "pod", emptyMap())))
	if s.Readiness != nil {
		setKey(spec, "readinessProbe", probeNode(s.Readiness, false))
	}
	if s.Liveness != nil {
		setKey(spec, "livenessProbe", probeNode(s.Liveness, false))
	}
	setKey(spec, "volumes", volumes)

	meta := mapNode("name", strNode(opts.Name))
	if opts.Namespace != "" {
		setKey(meta, "namespace", strNode(opts.Namespace))
	}
	labels := mapNode(defaultTemplate, strNode(opts.Name))
	k := target.kind()
	obj := mapNode("apiVersion", strNode(k.APIVersion(k.Versions[0].Name)), "kind", strNode(k.Kind), "metadata", meta)
	if target == TargetVMI {
		setKey(meta, "labels", labels)
		setKey(obj, "spec", spec)
	} else {
		setKey(obj, "spec", mapNode(
			"runStrategy", strNode(string(v1.RunStrategyAlways)),
			"template", mapNode("metadata", mapNode("labels", labels), "spec", spec)))
	}
	return obj, nil
}

// RenderVirtualMachine writes VirtualMachine's object as YAML or JSON.
func (s *Stanza) RenderVirtualMachine(format Format, opts VMOptions) ([]byte, error) {
	n, err := s.VirtualMachine(opts)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatYAML:
		return encodeYAML(n)
	case FormatJSON:
		return encodeJSON(n, "  ")
	}
	return nil, fmt.Errorf("a whole VM can be written as yaml or json, not %s", format)
}

// interfacePorts returns the ports list of the pod interface: nil, which
// forwards every port, unless a probe port is named. A named port has to
// be declared for the kubelet to resolve it, and a masquerade interface
// with a ports list forwards only those, so then every probe port is
// listed.
func (s *Stanza) interfacePorts() *yaml.Node {
	if len(s.namedPorts()) == 0 {
		return nil
	}
	ports := seqNode()
	var seen []string
	for _, p := range []*v1.Probe{s.Readiness, s.Liveness} {
		port, ok := probePort(p)
		if !ok {
			continue
		}
		key := port.String()
		if slices.Contains(seen, key) {
			continue
		}
		seen = append(seen, key)
		if port.StrVal != "" {
			ports.Content = append(ports.Content, mapNode("name", strNode(port.StrVal), "port", intNode(int64(s.PortNumbers[port.StrVal]))))
		} else {
			ports.Content = append(ports.Content, mapNode("port", intNode(int64(port.IntVal))))
		}
	}
	return ports
}

// literal is a string written as a YAML literal block, as userData is.
func literal(s string) *yaml.Node {
	n := strNode(s)
	n.Style = yaml.LiteralStyle
	return n
}

// check validates the minimal VirtualMachine holding the stanza with
// probespec.ValidateVMISpec and lints it with linter (nil: vmhealth's
// rules with their defaults).
func (s *Stanza) check(linter *validate.Linter) (field.ErrorList, []validate.Finding, error) {
	n, err := s.VirtualMachine(VMOptions{Name: lintObjectName})
	if err != nil {
		return nil, nil, err
	}
	data, err := encodeYAML(n)
	if err != nil {
		return nil, nil, err
	}
	var vm v1.VirtualMachine
	if err := decodeNode(n, &vm); err != nil {
		return nil, nil, fmt.Errorf("decoding the generated VM: %w", err)
	}
	if errs := probespec.ValidateVMISpec(&vm.Spec.Template.Spec, nil, probespec.Options{}); len(errs) > 0 {
		return errs, nil, nil
	}
	if linter == nil {
		linter = defaultLinter()
	}
	findings, sum := linter.LintBytes(lintFileName, data)
	if len(sum.InputErrors) > 0 {
		return nil, nil, fmt.Errorf("linting the stanza: %v", sum.InputErrors[0])
	}
	return nil, findings, nil
}

// defaultLinter is the Linter of vmhealth's rules with their defaults,
// which cannot fail to build.
func defaultLinter() *validate.Linter { return validate.MustNew(validate.Options{}) }
