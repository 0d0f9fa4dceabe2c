package validate

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"
	poolv1alpha1 "kubevirt.io/api/pool/v1alpha1"
	poolv1beta1 "kubevirt.io/api/pool/v1beta1"
)

// issueKind classifies what the typed decode found wrong with the input.
type issueKind int

const (
	issueUnknownField issueKind = iota
	issueDuplicateKey
	issueInvalidType
	issueTemplateParam
	issueTooComplex
	issueAmbiguous
)

// decodeIssue is one problem found while decoding, at a node of the tree.
type decodeIssue struct {
	kind issueKind
	node *yaml.Node
	path string
	msg  string
}

// decodeLimits bound the work one object may cause: alias expansion ("billion
// laughs") and nesting depth.
type decodeLimits struct {
	maxNodes int
	maxDepth int
}

var defaultDecodeLimits = decodeLimits{maxNodes: 1 << 20, maxDepth: 256}

// decoder fills a Go value from a YAML node tree by the value's JSON field
// names, the way the API server's strict decoding reads the JSON that kubectl
// sends. Unlike a JSON round trip it keeps positions: every unknown field,
// duplicate key and wrong type is recorded at its node, and decoding goes on
// past it, so one typo does not hide the rest of the object.
//
// It walks the Go types field by field even where kubevirt.io/api defines an
// UnmarshalJSON (VirtualMachineInstanceSpec, PodNetwork, DHCPOptions) that
// would otherwise decode without strictness.
type decoder struct {
	issues   []decodeIssue
	template bool // inside an OpenShift Template: tolerate ${PARAM}
	limits   decodeLimits
	visited  int
	depth    int
	stopped  bool
	// lenient is above zero while decoding a field whose schema keeps
	// unknown fields (x-kubernetes-preserve-unknown-fields in the CRD).
	lenient int
	// expanding is the outermost alias being expanded: when an alias bomb
	// hits the limits, that is the place to point at.
	expanding *yaml.Node
	// segs is the field path of the node being decoded, kept as segments
	// ("spec", "volumes", "[0]") and joined only when a problem is found.
	segs []string
}

func (d *decoder) push(seg string) { d.segs = append(d.segs, seg) }
func (d *decoder) pop()            { d.segs = d.segs[:len(d.segs)-1] }

// path renders the current field path as field.Path prints it.
func (d *decoder) path() string {
	n := 0
	for _, s := range d.segs {
		n += len(s) + 1
	}
	b := make([]byte, 0, n)
	for _, s := range d.segs {
		if len(b) > 0 && (s == "" || s[0] != '[') {
			b = append(b, '.')
		}
		b = append(b, s...)
	}
	return string(b)
}

func indexSeg(i int) string { return "[" + strconv.Itoa(i) + "]" }

// maxIssues caps the problems recorded for one object; past it the object
// is not decoded further.
const maxIssues = 200

func newDecoder(template bool) *decoder {
	return &decoder{template: template, limits: defaultDecodeLimits}
}

func (d *decoder) add(kind issueKind, n *yaml.Node, format string, args ...any) {
	path := d.path()
	if len(d.issues) >= maxIssues {
		if !d.stopped {
			d.stopped = true
			d.issues = append(d.issues, decodeIssue{kind: issueTooComplex, node: n, path: path,
				msg: fmt.Sprintf("more than %d problems in this object; not decoded further", maxIssues)})
		}
		return
	}
	d.issues = append(d.issues, decodeIssue{kind: kind, node: n, path: path, msg: fmt.Sprintf(format, args...)})
}

// enter counts a node against the limits; it returns false once they are hit.
func (d *decoder) enter(n *yaml.Node) bool {
	if d.stopped {
		return false
	}
	d.visited++
	if d.visited > d.limits.maxNodes {
		d.stopped = true
		if d.expanding != nil {
			n = d.expanding
		}
		d.add(issueTooComplex, n, "object expands to more than %d nodes (alias bomb?); not decoded further", d.limits.maxNodes)
		return false
	}
	if d.depth > d.limits.maxDepth {
		d.stopped = true
		d.add(issueTooComplex, n, "object is nested deeper than %d levels; not decoded further", d.limits.maxDepth)
		return false
	}
	return true
}

var (
	tIntOrString  = reflect.TypeOf(intstr.IntOrString{})
	tQuantity     = reflect.TypeOf(resource.Quantity{})
	tTime         = reflect.TypeOf(metav1.Time{})
	tDuration     = reflect.TypeOf(metav1.Duration{})
	tRawExtension = reflect.TypeOf(runtime.RawExtension{})
	tUnmarshaler  = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

	// Types whose UnmarshalJSON only post-processes a plain decode: walk
	// their fields, so their unknown fields are found.
	walkDespiteUnmarshaler = map[reflect.Type]bool{
		reflect.TypeOf(v1.VirtualMachineInstanceSpec{}): true,
		reflect.TypeOf(v1.PodNetwork{}):                 true,
		reflect.TypeOf(v1.DHCPOptions{}):                true,
	}
)

var templateParam = regexp.MustCompile(`^\$\{\{?[A-Za-z0-9_]+\}?\}$`)

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// decode fills v (settable) from node n.
func (d *decoder) decode(n *yaml.Node, v reflect.Value) {
	d.decodeWith(n, v, typeInfoOf(v.Type()))
}

// decodeWith fills v, whose type ti describes, from node n. It is the hot
// path of linting: everything it needs to know about the type was worked
// out once, in ti.
func (d *decoder) decodeWith(n *yaml.Node, v reflect.Value, ti *typeInfo) {
	if n != nil && n.Kind == yaml.AliasNode && d.expanding == nil {
		d.expanding = n
		d.decodeResolved(resolve(n), v, ti)
		d.expanding = nil
		return
	}
	d.decodeResolved(resolve(n), v, ti)
}

func (d *decoder) decodeResolved(n *yaml.Node, v reflect.Value, ti *typeInfo) {
	if n == nil || !d.enter(n) {
		return
	}
	d.depth++
	d.decodeValue(n, v, ti)
	d.depth--
}

func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, ti *typeInfo) {
	if ti.plan == planPointer {
		if isNull(n) {
			v.SetZero()
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(ti.t.Elem()))
		}
		d.decodeValue(n, v.Elem(), ti.elem)
		return
	}
	if d.template && n.Kind == yaml.ScalarNode && ti.plan != planString && templateParam.MatchString(n.Value) {
		d.add(issueTemplateParam, n, "template parameter %s is not checked; values are known only after processing", n.Value)
		return
	}
	switch ti.plan {
	case planIntOrString:
		d.decodeIntOrString(n, v)
	case planQuantity:
		d.decodeQuantity(n, v)
	case planTime:
		if s, ok := d.scalarString(n, "a timestamp"); ok && s != "" {
			tm, err := time.Parse(time.RFC3339, s)
			if err != nil {
				d.add(issueInvalidType, n, "invalid timestamp %q: want RFC 3339", s)
				return
			}
			v.Set(reflect.ValueOf(metav1.NewTime(tm)))
		}
	case planDuration:
		if s, ok := d.scalarString(n, "a duration"); ok {
			dur, err := time.ParseDuration(s)
			if err != nil {
				d.add(issueInvalidType, n, "invalid duration %q", s)
				return
			}
			v.Set(reflect.ValueOf(metav1.Duration{Duration: dur}))
		}
	case planRaw:
		raw, err := d.toJSON(n)
		if err == nil {
			v.Set(reflect.ValueOf(runtime.RawExtension{Raw: raw}))
		}
	case planSelf:
		raw, err := d.toJSON(n)
		if err != nil {
			return
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			d.add(issueInvalidType, n, "invalid value: %v", err)
		}
	case planStruct:
		d.decodeStruct(n, v, ti.st)
	case planMap:
		d.decodeMap(n, v, ti)
	case planSlice:
		d.decodeSlice(n, v, ti)
	case planInterface:
		val, err := d.toInterface(n)
		if err == nil && val != nil {
			v.Set(reflect.ValueOf(val))
		}
	case planString:
		if s, ok := d.scalarString(n, "a string"); ok {
			v.SetString(s)
		}
	case planBool:
		d.decodeBool(n, v)
	case planInt:
		d.decodeInt(n, v)
	case planUint:
		d.decodeUint(n, v)
	case planFloat:
		d.decodeFloat(n, v)
	default:
		d.add(issueInvalidType, n, "cannot decode into %s", ti.t)
	}
}

// kindWord names a node's type the way a user thinks of it.
func kindWord(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!null":
		return "null"
	case "!!str":
		return "a string"
	}
	return "a " + strings.TrimPrefix(n.ShortTag(), "!!")
}

func (d *decoder) wrongType(n *yaml.Node, want string) {
	got := kindWord(n)
	hint := ""
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		hint = " (remove the quotes)"
	} else if n.Kind == yaml.ScalarNode && want == "a string" {
		hint = " (quote it)"
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		// A list or an object has no value worth quoting: `timer must be an
		// object, not a list` without a stray "".
		d.add(issueInvalidType, n, "%s must be %s, not %s%s", d.lastSegment(), want, got, hint)
		return
	}
	d.add(issueInvalidType, n, "%s must be %s, not %s %q%s", d.lastSegment(), want, got, n.Value, hint)
}

// lastSegment names the field being decoded, for messages.
func (d *decoder) lastSegment() string {
	if len(d.segs) == 0 {
		return "value"
	}
	return strings.Trim(d.segs[len(d.segs)-1], "[]")
}

func (d *decoder) scalarString(n *yaml.Node, want string) (string, bool) {
	if _, ok := yaml11Bool(n); ok {
		d.add(issueInvalidType, n, "%s: kubectl and other YAML 1.1 tools send %s as a boolean, which the API server refuses here; quote it: %q",
			d.lastSegment(), n.Value, n.Value)
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		if isNull(n) {
			return "", false
		}
		d.wrongType(n, want)
		return "", false
	}
	return n.Value, true
}

func (d *decoder) decodeIntOrString(n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str":
			v.Set(reflect.ValueOf(intstr.FromString(n.Value)))
			return
		case "!!int":
			i, err := parseYAMLInt(n.Value, 32)
			if err != nil {
				d.add(issueInvalidType, n, "%s %s does not fit in a 32-bit integer", d.lastSegment(), n.Value)
				return
			}
			v.Set(reflect.ValueOf(intstr.FromInt32(int32(i))))
			return
		case "!!null":
			return
		}
	}
	d.wrongType(n, "an integer or a string")
}

func (d *decoder) decodeQuantity(n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float":
			q, err := resource.ParseQuantity(n.Value)
			if err != nil {
				d.add(issueInvalidType, n, "invalid quantity %q: %v", n.Value, err)
				return
			}
			v.Set(reflect.ValueOf(q))
			return
		case "!!null":
			return
		}
	}
	d.wrongType(n, "a quantity such as 1Gi")
}

// parseYAMLInt reads an integer the way YAML resolved it (0x, 0o, _ allowed).
func parseYAMLInt(s string, bits int) (int64, error) {
	s = strings.ReplaceAll(s, "_", "")
	if strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "-0o") || strings.HasPrefix(s, "+0o") {
		s = strings.Replace(s, "0o", "0", 1)
	}
	return strconv.ParseInt(s, 0, bits)
}

func (d *decoder) decodeInt(n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
		// kubectl sends 1e3 as 1000, which an integer field accepts.
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err == nil && f == math.Trunc(f) && !v.OverflowInt(int64(f)) && math.Abs(f) < 1<<53 {
			v.SetInt(int64(f))
			return
		}
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		if isNull(n) {
			return
		}
		d.wrongType(n, "an integer")
		return
	}
	i, err := parseYAMLInt(n.Value, v.Type().Bits())
	if err != nil {
		d.add(issueInvalidType, n, "%s %s does not fit in a %d-bit integer", d.lastSegment(), n.Value, v.Type().Bits())
		return
	}
	if n.Style == 0 && octalLooking.MatchString(n.Value) {
		d.add(issueAmbiguous, n, "%s: %s is read as the octal number %d by kubectl and YAML parsers; write %d if you mean it, or the decimal number without the leading zero",
			d.lastSegment(), n.Value, i, i)
	}
	v.SetInt(i)
}

func (d *decoder) decodeUint(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		if isNull(n) {
			return
		}
		d.wrongType(n, "a non-negative integer")
		return
	}
	i, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 0, v.Type().Bits())
	if err != nil {
		d.add(issueInvalidType, n, "%s %s is not a non-negative %d-bit integer", d.lastSegment(), n.Value, v.Type().Bits())
		return
	}
	v.SetUint(i)
}

func (d *decoder) decodeFloat(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!float" && n.ShortTag() != "!!int") {
		if isNull(n) {
			return
		}
		d.wrongType(n, "a number")
		return
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), v.Type().Bits())
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		d.add(issueInvalidType, n, "%s %s is not a finite number", d.lastSegment(), n.Value)
		return
	}
	v.SetFloat(f)
}

func (d *decoder) decodeBool(n *yaml.Node, v reflect.Value) {
	if b, ok := yaml11Bool(n); ok {
		d.add(issueAmbiguous, n, "%s: %s is a boolean (%v) for kubectl and YAML 1.1 tools but a string for YAML 1.2 tools; write %v",
			d.lastSegment(), n.Value, b, b)
		v.SetBool(b)
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		v.SetBool(strings.EqualFold(n.Value, "true"))
		return
	}
	if isNull(n) {
		return
	}
	d.wrongType(n, "true or false")
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, ti *typeInfo) {
	if isNull(n) {
		v.SetZero()
		return
	}
	if v.Type().Elem().Kind() == reflect.Uint8 {
		if s, ok := d.scalarString(n, "base64 data"); ok {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				d.add(issueInvalidType, n, "invalid base64 data: %v", err)
				return
			}
			v.SetBytes(b)
		}
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.wrongType(n, "a list")
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.push(indexSeg(i))
		d.decodeWith(item, out.Index(i), ti.elem)
		d.pop()
	}
	v.Set(out)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, ti *typeInfo) {
	if isNull(n) {
		v.SetZero()
		return
	}
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, "an object")
		return
	}
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.add(issueInvalidType, n, "cannot decode a map keyed by %s", t.Key())
		return
	}
	m := reflect.MakeMapWithSize(t, len(n.Content)/2)
	seen := make(map[string]bool, len(n.Content)/2)
	d.eachPair(n, func(k, val *yaml.Node) {
		d.push("[" + k.Value + "]")
		defer d.pop()
		if seen[k.Value] {
			d.add(issueDuplicateKey, k, "duplicate key %q (the API server rejects it; YAML tools keep only one of the values)", k.Value)
			return
		}
		seen[k.Value] = true
		elem := reflect.New(t.Elem()).Elem()
		d.decodeWith(val, elem, ti.elem)
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(t.Key()), elem)
	})
	v.Set(m)
}

// eachPair calls fn for each key/value of a mapping, expanding "<<" merge keys
// and reporting keys that are not strings.
func (d *decoder) eachPair(n *yaml.Node, fn func(k, v *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			d.merge(val, fn)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.add(issueInvalidType, k, "mapping keys must be strings, not %s", kindWord(k))
			continue
		}
		fn(k, val)
	}
}

func (d *decoder) merge(val *yaml.Node, fn func(k, v *yaml.Node)) {
	val = resolve(val)
	if val == nil || !d.enter(val) {
		return
	}
	switch val.Kind {
	case yaml.MappingNode:
		d.eachPair(val, fn)
	case yaml.SequenceNode:
		for _, item := range val.Content {
			d.merge(item, fn)
		}
	default:
		d.add(issueInvalidType, val, "a merge key (<<) must refer to an object")
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, info *structInfo) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, "an object")
		return
	}
	top := len(d.segs) == 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			// Rare: let eachPair report odd keys and expand merges.
			d.eachPair(&yaml.Node{Kind: yaml.MappingNode, Content: n.Content[i : i+2]}, func(k, val *yaml.Node) {
				d.decodeField(n, info, v, top, k, val)
			})
			continue
		}
		d.decodeField(n, info, v, top, k, val)
	}
}

// decodeField decodes the value of key k of mapping n into its field of v.
func (d *decoder) decodeField(n *yaml.Node, info *structInfo, v reflect.Value, top bool, k, val *yaml.Node) {
	name := k.Value
	if first := firstKey(n, k); first != nil {
		d.push(name)
		d.add(issueDuplicateKey, k, "duplicate key %q (first at line %d; the API server rejects it, YAML tools keep only the last value)", name, first.Line)
		d.pop()
		return
	}
	if top && name == "status" {
		return // written by controllers, never by users: not linted
	}
	f, ok := info.fields[name]
	if !ok {
		if d.lenient == 0 {
			parent := d.path()
			d.push(name)
			d.add(issueUnknownField, k, "%s", unknownFieldMessage(name, parent, info))
			d.pop()
		}
		return
	}
	d.push(name)
	if f.preserveUnknown {
		d.lenient++
	}
	d.decodeWith(val, fieldByIndexAlloc(v, f.index), f.ti)
	if f.preserveUnknown {
		d.lenient--
	}
	d.pop()
}

// firstKey returns an earlier key of mapping n equal to k, or nil. Mappings
// are small, so a scan beats building a set for each one.
// Keys merged in with "<<" belong to another mapping and are never
// duplicates: explicit keys override them.
func firstKey(n, k *yaml.Node) *yaml.Node {
	var first *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		c := n.Content[i]
		if c == k {
			return first
		}
		if first == nil && c.Value == k.Value && c.Kind == yaml.ScalarNode {
			first = c
		}
	}
	return nil
}

// fieldByIndexAlloc is reflect.Value.FieldByIndex that allocates nil embedded
// pointers on the way.
func fieldByIndexAlloc(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// toInterface converts a subtree to plain Go values (maps, slices, scalars)
// as a JSON decoder would produce them, within the decoder's limits.
func (d *decoder) toInterface(n *yaml.Node) (any, error) {
	if n != nil && n.Kind == yaml.AliasNode && d.expanding == nil {
		d.expanding = n
		defer func() { d.expanding = nil }()
	}
	n = resolve(n)
	if n == nil {
		return nil, nil
	}
	if !d.enter(n) {
		return nil, fmt.Errorf("limits exceeded")
	}
	d.depth++
	defer func() { d.depth-- }()
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		var err error
		seen := make(map[string]bool, len(n.Content)/2)
		d.eachPair(n, func(k, val *yaml.Node) {
			if err != nil {
				return
			}
			d.push(k.Value)
			defer d.pop()
			if seen[k.Value] {
				d.add(issueDuplicateKey, k, "duplicate key %q", k.Value)
				return
			}
			seen[k.Value] = true
			m[k.Value], err = d.toInterface(val)
		})
		return m, err
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			var err error
			d.push(indexSeg(i))
			s[i], err = d.toInterface(item)
			d.pop()
			if err != nil {
				return nil, err
			}
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			return strings.EqualFold(n.Value, "true"), nil
		case "!!int":
			if i, err := parseYAMLInt(n.Value, 64); err == nil {
				return i, nil
			}
			return n.Value, nil
		case "!!float":
			if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, nil
			}
			return n.Value, nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("unsupported node kind %v", n.Kind)
}

func (d *decoder) toJSON(n *yaml.Node) ([]byte, error) {
	val, err := d.toInterface(n)
	if err != nil {
		return nil, err
	}
	return json.Marshal(val)
}

// structInfo lists a struct type's JSON field names, embedded structs
// flattened the way encoding/json flattens them.
type structInfo struct {
	fields map[string]*fieldInfo
	names  []string
}

type fieldInfo struct {
	index []int
	depth int
	// preserveUnknown marks fields whose CRD schema keeps unknown fields, so
	// the API server accepts them.
	preserveUnknown bool
	ti              *typeInfo
}

// plan says how values of a type are decoded.
type plan uint8

const (
	planOther plan = iota
	planPointer
	planIntOrString
	planQuantity
	planTime
	planDuration
	planRaw
	planSelf // the type's own UnmarshalJSON
	planStruct
	planMap
	planSlice
	planInterface
	planString
	planBool
	planInt
	planUint
	planFloat
)

// specialPlans are the types decoded from scalars their own way.
var specialPlans = map[reflect.Type]plan{
	tIntOrString:  planIntOrString,
	tQuantity:     planQuantity,
	tTime:         planTime,
	tDuration:     planDuration,
	tRawExtension: planRaw,
}

// typeInfo is what the decoder needs to know about a Go type, worked out
// once per type: how to decode it, its element's typeInfo (pointers, slices,
// maps) and its fields (structs).
type typeInfo struct {
	t    reflect.Type
	plan plan
	elem *typeInfo
	st   *structInfo
}

var (
	typeInfos sync.Map   // reflect.Type -> *typeInfo, complete ones only
	typeMu    sync.Mutex // serialises building, so nobody sees a half-built one
)

func typeInfoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	typeMu.Lock()
	defer typeMu.Unlock()
	pending := map[reflect.Type]*typeInfo{}
	ti := buildTypeInfo(t, pending)
	for pt, pti := range pending {
		typeInfos.Store(pt, pti)
	}
	return ti
}

// buildTypeInfo builds t's info and those of the types it contains;
// pending holds the ones under construction, which ends recursive types.
func buildTypeInfo(t reflect.Type, pending map[reflect.Type]*typeInfo) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	if ti, ok := pending[t]; ok {
		return ti
	}
	ti := &typeInfo{t: t}
	pending[t] = ti
	switch {
	case t.Kind() == reflect.Pointer:
		ti.plan, ti.elem = planPointer, buildTypeInfo(t.Elem(), pending)
		return ti
	case specialPlans[t] != planOther:
		ti.plan = specialPlans[t]
		return ti
	case reflect.PointerTo(t).Implements(tUnmarshaler) && !walkDespiteUnmarshaler[t]:
		ti.plan = planSelf
		return ti
	}
	switch t.Kind() {
	case reflect.Struct:
		ti.plan, ti.st = planStruct, buildStructInfo(t, pending)
	case reflect.Map:
		ti.plan, ti.elem = planMap, buildTypeInfo(t.Elem(), pending)
	case reflect.Slice:
		ti.plan, ti.elem = planSlice, buildTypeInfo(t.Elem(), pending)
	case reflect.Interface:
		ti.plan = planInterface
	case reflect.String:
		ti.plan = planString
	case reflect.Bool:
		ti.plan = planBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ti.plan = planInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ti.plan = planUint
	case reflect.Float32, reflect.Float64:
		ti.plan = planFloat
	}
	return ti
}

// structInfoOf returns the JSON fields of struct type t.
func structInfoOf(t reflect.Type) *structInfo { return typeInfoOf(t).st }

func buildStructInfo(t reflect.Type, pending map[reflect.Type]*typeInfo) *structInfo {
	si := &structInfo{fields: map[string]*fieldInfo{}}
	collectFields(t, nil, si)
	for _, name := range preserveUnknownFields[t] {
		if f := si.fields[name]; f != nil {
			f.preserveUnknown = true
		}
	}
	for name, f := range si.fields {
		si.names = append(si.names, name)
		f.ti = buildTypeInfo(t.FieldByIndex(f.index).Type, pending)
	}
	return si
}

func collectFields(t reflect.Type, index []int, si *structInfo) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, idx, si)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if prev, ok := si.fields[name]; ok && prev.depth <= len(index) {
			continue // a shallower field of that name wins, as in encoding/json
		}
		si.fields[name] = &fieldInfo{index: idx, depth: len(index)}
	}
}

// preserveUnknownFields lists, by parent struct type, the fields that
// KubeVirt's CRDs mark x-kubernetes-preserve-unknown-fields: embedded
// template metadata and domain.clock. The API server keeps whatever is
// written there, so an unknown key in them is not a mistake it would report.
var preserveUnknownFields = map[reflect.Type][]string{
	reflect.TypeOf(v1.VirtualMachineInstanceTemplateSpec{}):   {"metadata"},
	reflect.TypeOf(v1.DataVolumeTemplateSpec{}):               {"metadata"},
	reflect.TypeOf(poolv1beta1.VirtualMachineTemplateSpec{}):  {"metadata"},
	reflect.TypeOf(poolv1alpha1.VirtualMachineTemplateSpec{}): {"metadata"},
	reflect.TypeOf(v1.DomainSpec{}):                           {"clock"},
}

var octalLooking = regexp.MustCompile(`^[-+]?0[0-7]+$`)

// yaml11Bool reports whether n is a plain scalar that YAML 1.2 (and so
// vmhealth's parser) reads as a string but YAML 1.1 — which kubectl, Helm and
// sigs.k8s.io/yaml use — reads as a boolean: yes, no, on, off, y, n.
func yaml11Bool(n *yaml.Node) (value, ok bool) {
	if n.Kind != yaml.ScalarNode || n.Style != 0 || n.ShortTag() != "!!str" {
		return false, false
	}
	switch n.Value {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
		return true, true
	case "n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return false, true
	}
	return false, false
}
