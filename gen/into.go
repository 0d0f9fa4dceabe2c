package gen

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
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
	f, err := parseYAMLFile(data)
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
	f        *yamlFile
	doc      int
	kind     string
	name     string
	specPath []any
}

func (o *fileObject) root() *yaml.Node { return o.f.docs[o.doc].Content[0] }

func (o *fileObject) String() string { return o.kind + "/" + o.name }

// findObject picks the VirtualMachine or VirtualMachineInstance named
// opts.Name, or the only one.
func findObject(f *yamlFile, opts IntoOptions) (*fileObject, error) {
	var found []*fileObject
	var names []string
	for i, doc := range f.docs {
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
	data, err := encodeJSON(n, "")
	if err != nil {
		return nil, err
	}
	if err := sigsyaml.Unmarshal(data, spec); err != nil {
		return nil, fmt.Errorf("reading the spec of %s: %w", o, err)
	}
	return spec, nil
}

// getPath follows keys and indices from n.
func getPath(n *yaml.Node, path []any) *yaml.Node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		switch p := p.(type) {
		case string:
			n = getKey(n, p)
		case int:
			if n.Kind != yaml.SequenceNode || p >= len(n.Content) {
				return nil
			}
			n = n.Content[p]
		}
	}
	return n
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

// set writes value at path, replacing what is there or adding the keys
// that are missing. It reports whether something was replaced. It then
// reads the value back, and when the lines around it changed its meaning
// (whitespace-only lines after a literal block join it), edits again with
// those lines inside the edit.
func (o *fileObject) set(path []any, value *yaml.Node, st yamlStyle) (bool, error) {
	return o.checked(path, value, func() (bool, error) { return o.setOnce(path, value, st) })
}

// checked runs edit and verifies that path then holds want, retrying once
// with the edit extended over blank lines.
func (o *fileObject) checked(path []any, want *yaml.Node, edit func() (bool, error)) (bool, error) {
	saved := slices.Clone(o.f.lines)
	replaced, err := edit()
	if err != nil || holds(o.root(), path, want) {
		return replaced, err
	}
	o.f.lines = saved
	o.f.overBlank = true
	defer func() { o.f.overBlank = false }()
	if err := o.f.reparse(); err != nil {
		return false, err
	}
	if replaced, err = edit(); err != nil {
		return false, err
	}
	if !holds(o.root(), path, want) {
		return false, fmt.Errorf("%s: the edited file does not read back as written; vmhealth cannot edit this file safely", pathString(path))
	}
	return replaced, nil
}

// holds reports whether the node at path decodes to the same as want.
func holds(root *yaml.Node, path []any, want *yaml.Node) bool {
	got := getPath(root, path)
	if got == nil {
		return false
	}
	var a, b any
	if got.Decode(&a) != nil || want.Decode(&b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

func (o *fileObject) setOnce(path []any, value *yaml.Node, st yamlStyle) (replaced bool, err error) {
	cur := o.root()
	var curKey *yaml.Node // the key whose value cur is; nil for the root and list items
	for i, p := range path {
		switch p := p.(type) {
		case int:
			if cur.Kind != yaml.SequenceNode || p >= len(cur.Content) {
				return false, fmt.Errorf("%s: no item %d", pathString(path[:i]), p)
			}
			cur, curKey = cur.Content[p], nil
		case string:
			if cur.Kind != yaml.MappingNode || cur.Style&yaml.FlowStyle != 0 || len(cur.Content) == 0 {
				// A flow mapping ({}), an empty or a null value: rewrite it
				// whole, as a block mapping with the new keys.
				if curKey == nil {
					return false, fmt.Errorf("%s is written in flow style (JSON), which --into does not edit; use -o patch", pathString(path[:i]))
				}
				merged := blockCopy(cur)
				setInTree(merged, path[i:], value)
				return false, o.f.replaceKey(curKey, cur, merged, st)
			}
			var k, v *yaml.Node
			for j := 0; j+1 < len(cur.Content); j += 2 {
				if cur.Content[j].Value == p {
					k, v = cur.Content[j], cur.Content[j+1]
				}
			}
			if k == nil {
				rest := make([]string, 0, len(path)-i-1)
				for _, q := range path[i+1:] {
					s, ok := q.(string)
					if !ok {
						return false, fmt.Errorf("%s: cannot create a list item", pathString(path))
					}
					rest = append(rest, s)
				}
				return false, o.f.appendKey(cur, p, nest(value, rest...), st, neighbour[p])
			}
			if i == len(path)-1 {
				return true, o.f.replaceKey(k, v, value, st)
			}
			cur, curKey = v, k
		}
	}
	return false, errors.New("empty path")
}

// neighbour places a new key next to a related one, so that the two probes
// end up side by side.
var neighbour = map[string]string{"readinessProbe": "livenessProbe", "livenessProbe": "readinessProbe"}

// blockCopy returns a mapping holding n's pairs, in block style; a scalar
// (null) gives an empty mapping.
func blockCopy(n *yaml.Node) *yaml.Node {
	m := mapNode()
	if n.Kind == yaml.MappingNode {
		m.Content = append(m.Content, n.Content...)
	}
	return m
}

// setInTree sets value at the keys of path in the mapping m, creating
// mappings on the way.
func setInTree(m *yaml.Node, path []any, value *yaml.Node) {
	for i, p := range path {
		key := p.(string)
		if i == len(path)-1 {
			setKey(m, key, value)
			return
		}
		next := getKey(m, key)
		if next == nil || next.Kind != yaml.MappingNode {
			next = mapNode()
			setKey(m, key, next)
		} else {
			next = blockCopy(next)
			setKey(m, key, next)
		}
		m = next
	}
}

// appendToList adds item to the list at path, creating the list when it
// is missing and rewriting it when it is empty or in flow style.
func (o *fileObject) appendToList(path []any, item *yaml.Node, st yamlStyle) error {
	parent := getPath(o.root(), path[:len(path)-1])
	key := path[len(path)-1].(string)
	var k, seq *yaml.Node
	if parent != nil && parent.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(parent.Content); j += 2 {
			if parent.Content[j].Value == key {
				k, seq = parent.Content[j], parent.Content[j+1]
			}
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 || seq.Style&yaml.FlowStyle != 0 {
		items := seqNode()
		if seq != nil && seq.Kind == yaml.SequenceNode {
			items.Content = append(items.Content, seq.Content...)
		}
		items.Content = append(items.Content, item)
		_, err := o.set(path, items, st)
		return err
	}
	last := append(slices.Clone(path), len(seq.Content))
	_, err := o.checked(last, item, func() (bool, error) { return false, o.f.appendItem(k, seq, item, st) })
	return err
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
	f, err := parseYAMLFile(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", opts.File, err)
	}
	o, err := findObject(f, opts)
	if err != nil {
		return nil, err
	}
	before := o.root()
	st := detectStyle(before)
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
	res.Data = f.bytes()
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
func (s *Stanza) forwardProbePorts(o *fileObject, st yamlStyle, res *IntoResult) error {
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
		var errs field.ErrorList
		for _, e := range probespec.CheckMasqueradeForwardsProbePorts(spec, nil) {
			if (s.Readiness != nil && strings.HasPrefix(e.Field, "readinessProbe")) ||
				(s.Liveness != nil && strings.HasPrefix(e.Field, "livenessProbe")) {
				errs = append(errs, e)
			}
		}
		if len(errs) == 0 {
			return nil
		}
		var probe *v1.Probe
		if strings.HasPrefix(errs[0].Field, "livenessProbe") {
			probe = spec.LivenessProbe
		} else {
			probe = spec.ReadinessProbe
		}
		port, _ := probePort(probe)
		number := port.IntVal
		if port.StrVal != "" {
			number = s.PortNumbers[port.StrVal]
		}
		idx := podInterfaceIndex(spec)
		if idx < 0 { // not a masquerade list, then: report what the check says
			return fmt.Errorf("%s: %s", errs[0].Field, errs[0].Detail)
		}
		path := append(slices.Clone(o.specPath), "domain", "devices", "interfaces", idx, "ports")
		if err := o.appendToList(path, mapNode("port", intNode(int64(number))), st); err != nil {
			return err
		}
		reason, _, _ := strings.Cut(errs[0].Detail, ";")
		res.Changes = append(res.Changes, fmt.Sprintf("%s: added port %d, or the probe would never reach the guest (%s)",
			pathString(path), number, strings.Replace(reason, fmt.Sprintf("port %d is not forwarded to the guest: ", number), "", 1)))
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

// mergeCloudInit adds the guest side to the object's cloud-init volume, or
// adds a cloudInitNoCloud volume.
func (s *Stanza) mergeCloudInit(o *fileObject, st yamlStyle, res *IntoResult) error {
	volumes := getPath(o.root(), append(slices.Clone(o.specPath), "volumes"))
	names := map[string]bool{}
	if volumes != nil && volumes.Kind == yaml.SequenceNode {
		for i, vol := range volumes.Content {
			volName := scalar(getKey(vol, "name"))
			names[volName] = true
			for _, kind := range []string{"cloudInitNoCloud", "cloudInitConfigDrive"} {
				ci := getKey(vol, kind)
				if ci == nil {
					continue
				}
				base := append(slices.Clone(o.specPath), "volumes", i, kind)
				if ref := getKey(ci, "secretRef"); ref != nil {
					return fmt.Errorf("the cloud-init user data of volume %q is in Secret %q, which vmhealth cannot edit: add the output of vmhealth gen --cloud-init to it",
						volName, scalar(getKey(ref, "name")))
				}
				key, encoded := "userData", false
				current := scalar(getKey(ci, "userData"))
				if b64 := getKey(ci, "userDataBase64"); b64 != nil {
					raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(scalar(b64)))
					if err != nil {
						return fmt.Errorf("volume %q: userDataBase64 is not base64: %w", volName, err)
					}
					key, encoded, current = "userDataBase64", true, string(raw)
				}
				merged, err := s.CloudInit.MergeUserData(current)
				if errors.Is(err, ErrNotCloudConfig) {
					return fmt.Errorf("volume %q: the user data is not cloud-config (a shell script?), so vmhealth cannot add to it: add the output of vmhealth gen --cloud-init by hand", volName)
				}
				if err != nil {
					return fmt.Errorf("volume %q: %w", volName, err)
				}
				value := literal(merged)
				if encoded {
					value = strNode(base64.StdEncoding.EncodeToString([]byte(merged)))
				}
				replaced, err := o.set(append(base, key), value, st)
				if err != nil {
					return err
				}
				what := "added cloud-config with the guest side of the health checks"
				if replaced {
					what = "merged the guest side of the health checks into the cloud-config"
				}
				res.Changes = append(res.Changes, pathString(append(base, key))+": "+what)
				return nil
			}
		}
	}
	name := cloudInitDisk
	for i := 2; names[name]; i++ {
		name = fmt.Sprintf("%s%d", cloudInitDisk, i)
	}
	userData, err := s.CloudInit.Marshal()
	if err != nil {
		return err
	}
	path := append(slices.Clone(o.specPath), "volumes")
	vol := mapNode("name", strNode(name), "cloudInitNoCloud", mapNode("userData", literal(string(userData))))
	if err := o.appendToList(path, vol, st); err != nil {
		return err
	}
	res.Changes = append(res.Changes, fmt.Sprintf("%s: added the cloudInitNoCloud volume %q with the guest side of the health checks (KubeVirt attaches it as a disk of the same name)", pathString(path), name))
	return nil
}

// verifyMerge checks the merged file before anyone writes it: the object
// holds exactly the stanza, nothing outside the changed fields differs,
// and lint finds no new error.
func (s *Stanza) verifyMerge(original []byte, res *IntoResult, opts IntoOptions) error {
	oldFile, err := parseYAMLFile(original)
	if err != nil {
		return err
	}
	newFile, err := parseYAMLFile(res.Data)
	if err != nil {
		return fmt.Errorf("internal error: the merged file does not parse: %w", err)
	}
	if len(oldFile.docs) != len(newFile.docs) {
		return errors.New("internal error: the merge changed the number of documents")
	}
	oldObj, err := findObject(oldFile, opts)
	if err != nil {
		return err
	}
	newObj, err := findObject(newFile, opts)
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	spec, err := newObj.typedSpec()
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	if (s.Readiness != nil && !reflect.DeepEqual(spec.ReadinessProbe, s.Readiness)) ||
		(s.Liveness != nil && !reflect.DeepEqual(spec.LivenessProbe, s.Liveness)) ||
		(s.Watchdog != nil && !reflect.DeepEqual(spec.Domain.Devices.Watchdog, s.Watchdog)) {
		return errors.New("internal error: the merged object does not hold the generated stanza")
	}
	for i := range oldFile.docs {
		a, b := plain(oldFile.docs[i]), plain(newFile.docs[i])
		if i == oldObj.doc {
			a = withoutTouched(a, oldObj.specPath)
			b = withoutTouched(b, newObj.specPath)
		}
		if !reflect.DeepEqual(a, b) {
			return fmt.Errorf("internal error: the merge changed document %d outside the health checks", i+1)
		}
	}

	linter := validate.New(validate.Options{Architecture: ""})
	oldFindings, _ := linter.LintBytes(opts.File, original)
	newFindings, _ := linter.LintBytes(opts.File, res.Data)
	seen := map[string]bool{}
	for _, f := range oldFindings {
		if f.Document == oldObj.doc {
			seen[f.RuleID+" "+f.Field] = true
		}
	}
	var errs field.ErrorList
	for _, f := range newFindings {
		if f.Document != newObj.doc || f.Suppressed != nil || seen[f.RuleID+" "+f.Field] {
			continue
		}
		if f.Severity >= validate.SeverityError {
			errs = append(errs, &field.Error{Type: field.ErrorTypeInvalid, Field: f.Field, BadValue: field.OmitValueType{}, Detail: f.Message + " [" + f.RuleID + "]"})
			continue
		}
		res.Findings = append(res.Findings, f)
	}
	if len(errs) > 0 {
		return &InvalidError{Errs: errs}
	}
	return nil
}

// plain decodes a document into maps and slices for comparison.
func plain(doc *yaml.Node) any {
	var v any
	_ = doc.Decode(&v)
	return v
}

// withoutTouched removes from a decoded object what MergeInto may change.
func withoutTouched(obj any, specPath []any) any {
	spec := obj
	for _, p := range specPath {
		m, ok := spec.(map[string]any)
		if !ok {
			return obj
		}
		spec = m[p.(string)]
	}
	m, ok := spec.(map[string]any)
	if !ok {
		return obj
	}
	delete(m, "readinessProbe")
	delete(m, "livenessProbe")
	if domain, ok := m["domain"].(map[string]any); ok {
		if devices, ok := domain["devices"].(map[string]any); ok {
			delete(devices, "watchdog")
			if len(devices) == 0 {
				delete(domain, "devices")
			}
			if ifaces, ok := devices["interfaces"].([]any); ok {
				for _, iface := range ifaces {
					if im, ok := iface.(map[string]any); ok {
						delete(im, "ports")
					}
				}
			}
		}
		if len(domain) == 0 {
			delete(m, "domain")
		}
	}
	if vols, ok := m["volumes"].([]any); ok {
		var kept []any
		for _, v := range vols {
			vm, ok := v.(map[string]any)
			if !ok {
				kept = append(kept, v)
				continue
			}
			if _, ci := vm["cloudInitNoCloud"]; ci {
				if nc, ok := vm["cloudInitNoCloud"].(map[string]any); ok {
					delete(nc, "userData")
					delete(nc, "userDataBase64")
				}
				if scalarName, _ := vm["name"].(string); strings.HasPrefix(scalarName, cloudInitDisk) && len(vm) == 2 {
					if nc, _ := vm["cloudInitNoCloud"].(map[string]any); len(nc) == 0 {
						continue // a volume MergeInto may have added
					}
				}
			}
			if cd, ok := vm["cloudInitConfigDrive"].(map[string]any); ok {
				delete(cd, "userData")
				delete(cd, "userDataBase64")
			}
			kept = append(kept, v)
		}
		if len(kept) == 0 {
			delete(m, "volumes")
		} else {
			m["volumes"] = kept
		}
	}
	return obj
}
