package validate

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"
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
