package gen

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/yamledit"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/internal/yamldecode"
	"github.com/vmhealth/vmhealth/internal/yamlpos"
	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// IntoOptions say which object of a file MergeInto changes.
type IntoOptions struct {
	// Name is the metadata.name of the VirtualMachine or
	// VirtualMachineInstance to change. It may be empty when the file holds
	// only one.
	Name string
	// File names the file in messages and findings.
	File string
	// Linter lints the file before and after; nil means vmhealth's rules
	// with their defaults.
	Linter *validate.Linter
}

// IntoResult is a file with a stanza merged in.
type IntoResult struct {
	// Data is the new content of the file.
	Data []byte
	// Object is the object changed, as Kind/name.
	Object string
	// Changes say, one line each, what was changed and why.
	Changes []string
	// Findings are lint's findings below error on the changed object that
	// it did not have before.
	Findings []validate.Finding
}

// FileObject describes the object of a file that MergeInto would change.
type FileObject struct {
	Kind string
	Name string
	// Arch is spec.architecture, empty when not set.
	Arch string
	// PortNumbers are the port names the object's interfaces declare.
	PortNumbers map[string]int32
}

// Target returns the target kind of the object.
func (o *FileObject) Target() Target {
	if o.Kind == TargetVMI.Kind() {
		return TargetVMI
	}
	return TargetVM
}

// InspectFile finds the object MergeInto would change and returns what a
// Request for it needs: the architecture and the declared port names.
func InspectFile(data []byte, opts IntoOptions) (*FileObject, error) {
	f, err := yamledit.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", opts.File, err)
	}
	obj, err := findObject(f, opts)
	if err != nil {
		return nil, err
	}
	spec, err := obj.typedSpec()
	if err != nil {
		return nil, err
	}
	out := &FileObject{Kind: obj.kind, Name: obj.name, Arch: spec.Architecture, PortNumbers: map[string]int32{}}
	for _, iface := range spec.Domain.Devices.Interfaces {
		for _, p := range iface.Ports {
			if _, dup := out.PortNumbers[p.Name]; p.Name != "" && !dup {
				out.PortNumbers[p.Name] = p.Port
			}
		}
	}
	return out, nil
}

// fileObject is the object being changed within a yamlFile.
type fileObject struct {
	f        *yamledit.File
	doc      int
	kind     string
	name     string
	specPath []any
}

func (o *fileObject) root() *yaml.Node { return o.f.Docs[o.doc].Content[0] }

func (o *fileObject) String() string { return o.kind + "/" + o.name }

// findObject picks the VirtualMachine or VirtualMachineInstance named
// opts.Name, or the only one.
func findObject(f *yamledit.File, opts IntoOptions) (*fileObject, error) {
	var found []*fileObject
	var names []string
	for i, doc := range f.Docs {
		if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := doc.Content[0]
		kind := scalar(getKey(root, "kind"))
		var specPath []any
		if !slices.ContainsFunc(Targets, func(t Target) bool { return t.Kind() == kind }) {
			continue
		}
		for _, p := range kubevirtkinds.ByKind(kind).SpecPath {
			specPath = append(specPath, p)
		}
		name := scalar(getKey(getKey(root, "metadata"), "name"))
		names = append(names, kind+"/"+name)
		if opts.Name == "" || opts.Name == name {
			found = append(found, &fileObject{f: f, doc: i, kind: kind, name: name, specPath: specPath})
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(names) == 0:
		return nil, fmt.Errorf("%s holds no VirtualMachine or VirtualMachineInstance (Lists and Templates are not edited)", opts.File)
	case len(found) == 0:
		return nil, fmt.Errorf("%s has no VirtualMachine or VirtualMachineInstance named %q (it has %s)", opts.File, opts.Name, strings.Join(names, ", "))
	case opts.Name == "":
		return nil, fmt.Errorf("%s holds %d objects (%s): pick one with --name", opts.File, len(found), strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("%s has %d objects named %q: vmhealth cannot tell which to change", opts.File, len(found), opts.Name)
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// typedSpec decodes the object's VMI spec.
func (o *fileObject) typedSpec() (*v1.VirtualMachineInstanceSpec, error) {
	n := getPath(o.root(), o.specPath)
	spec := &v1.VirtualMachineInstanceSpec{}
	if n == nil {
		return spec, nil
	}
	// Read as kubectl would send it: unknown fields are lint's business,
	// a value of the wrong type or an alias bomb is not a spec to edit.
	if err := decodeNode(n, spec, yamldecode.InvalidType, yamldecode.TooComplex); err != nil {
		return nil, fmt.Errorf("reading the spec of %s: %w", o, err)
	}
	return spec, nil
}

// getPath follows keys and indices from n, aliases included.
func getPath(n *yaml.Node, path []any) *yaml.Node {
	segs := make([]yamlpos.Segment, 0, len(path))
	for _, p := range path {
		switch p := p.(type) {
		case string:
			segs = append(segs, yamlpos.Segment{Name: p})
		case int:
			segs = append(segs, yamlpos.Segment{Index: p, IsIdx: true})
		}
	}
	_, v, ok := yamlpos.WalkSegments(n, segs)
	if !ok {
		return nil
	}
	return v
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		}
	}
	return b.String()
}

// MergeInto writes the stanza into the VirtualMachine or
// VirtualMachineInstance in data and returns the new file content. It
// changes only:
//   - readinessProbe, livenessProbe and domain.devices.watchdog, replaced
//     whole when present and added at the end of their mapping otherwise;
//   - the ports of the pod network's masquerade or passt interface, when
//     they would not forward a probe port to the guest;
//   - with the guest side (Request.CloudInit), the userData of the
//     cloud-init volume, merged with MergeUserData, or a new
//     cloudInitNoCloud volume.
//
// Everything else, other documents included, stays byte for byte as it
// was. The result is checked before it is returned: the object must decode
// with exactly the stanza's probes and watchdog, every field not listed
// above must be as before, and lint must find no error on the object that
// it did not find before.
func (s *Stanza) MergeInto(data []byte, opts IntoOptions) (*IntoResult, error) {
	f, err := yamledit.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", opts.File, err)
	}
	o, err := findObject(f, opts)
	if err != nil {
		return nil, err
	}
	before := o.root()
	st := yamledit.DetectStyle(before)
	res := &IntoResult{Object: o.String()}
	at := func(rest ...any) []any { return append(slices.Clone(o.specPath), rest...) }
	note := func(path []any, replaced bool, what string) {
		verb := "added"
		if replaced {
			verb = "replaced"
		}
		res.Changes = append(res.Changes, fmt.Sprintf("%s: %s %s", pathString(path), verb, what))
	}

	for _, p := range []struct {
		key   string
		probe *v1.Probe
	}{{"readinessProbe", s.Readiness}, {"livenessProbe", s.Liveness}} {
		if p.probe == nil {
			continue
		}
		replaced, err := o.set(at(p.key), probeNode(p.probe, false), st)
		if err != nil {
			return nil, err
		}
		note(at(p.key), replaced, describeProbe(p.probe))
	}
	if s.Watchdog != nil {
		path := at(watchdogPath()...)
		replaced, err := o.set(path, watchdogNode(s.Watchdog, false), st)
		if err != nil {
			return nil, err
		}
		note(path, replaced, fmt.Sprintf("%s watchdog %q, action %s", probespec.WatchdogModel(s.Watchdog), s.Watchdog.Name, watchdogAction(s.Watchdog)))
	}
	if err := s.forwardProbePorts(o, st, res); err != nil {
		return nil, err
	}
	if s.CloudInit != nil {
		if err := s.mergeCloudInit(o, st, res); err != nil {
			return nil, err
		}
	}
	res.Data = f.Bytes()
	if err := s.verifyMerge(data, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// watchdogPath is the watchdog's path in a VMI spec, as path segments.
func watchdogPath() []any {
	var out []any
	for _, p := range kubevirtkinds.WatchdogPath {
		out = append(out, p)
	}
	return out
}

// describeProbe names a probe in the compact syntax, with its headers.
func describeProbe(p *v1.Probe) string {
	bare := p.DeepCopy()
	var headers []string
	if bare.HTTPGet != nil {
		for _, h := range bare.HTTPGet.HTTPHeaders {
			headers = append(headers, fmt.Sprintf("%q", h.Name+": "+h.Value))
		}
		bare.HTTPGet.HTTPHeaders = nil
	}
	spec := FormatProbeSpec(bare)
	if spec == "" {
		spec = probespec.HandlerName(p)
	}
	if len(headers) > 0 {
		spec += " with header " + strings.Join(headers, ", ")
	}
	return spec
}

// forwardProbePorts adds the probe ports to the ports of the pod network's
// interface when it forwards only the ports listed there.
func (s *Stanza) forwardProbePorts(o *fileObject, st yamledit.Style, res *IntoResult) error {
	for range 3 { // one port a round: readiness, liveness
		spec, err := o.typedSpec()
		if err != nil {
			return err
		}
		if errs := probespec.CheckNamedPortDeclared(spec, nil); len(errs) > 0 {
			return fmt.Errorf("%s: %s", errs[0].Field, errs[0].Detail)
		}
		// Only the probes being written: a port problem of a probe the
		// request leaves alone is lint's to report, not gen's to fix.
		var todo []probespec.UnforwardedPort
		for _, u := range probespec.UnforwardedProbePorts(spec) {
			if (s.Readiness != nil && u.Probe == "readinessProbe") || (s.Liveness != nil && u.Probe == "livenessProbe") {
				todo = append(todo, u)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		u := todo[0]
		number := u.Number
		idx := podInterfaceIndex(spec)
		if idx < 0 { // not a masquerade list, then: report what the check says
			return fmt.Errorf("%s.%s.port: %s", u.Probe, u.Handler, u.Message())
		}
		path := append(slices.Clone(o.specPath), "domain", "devices", "interfaces", idx, "ports")
		if err := o.appendToList(path, mapNode("port", intNode(int64(number))), st); err != nil {
			return err
		}
		res.Changes = append(res.Changes, fmt.Sprintf("%s: added port %d, or the probe would never reach the guest (%s)",
			pathString(path), number, u.Reason()))
	}
	return errors.New("the probe ports are still not forwarded after adding them; please report this")
}

// podInterfaceIndex returns the index of the interface on the pod
// network, or -1.
func podInterfaceIndex(spec *v1.VirtualMachineInstanceSpec) int {
	for _, n := range spec.Networks {
		if n.Pod == nil {
			continue
		}
		for i, iface := range spec.Domain.Devices.Interfaces {
			if iface.Name == n.Name {
				return i
			}
		}
	}
	return -1
}
