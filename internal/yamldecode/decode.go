package yamldecode

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

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// Kind classifies what the decoder found wrong with the input.
type Kind int

// The kinds of issue.
const (
	// UnknownField is a key the Go type has no field for.
	UnknownField Kind = iota
	// DuplicateKey is a key written twice in one mapping.
	DuplicateKey
	// InvalidType is a value of the wrong type, or one that does not parse.
	InvalidType
	// TemplateParam is a ${PARAM} placeholder inside a Template.
	TemplateParam
	// TooComplex is an object past the limits (alias bomb, deep nesting,
	// too many issues); it is not decoded further.
	TooComplex
	// Ambiguous is a value YAML 1.1 tools (kubectl) read differently from
	// YAML 1.2 ones: yes/no booleans, octal-looking integers.
	Ambiguous
)

// Issue is one problem found while decoding, at a node of the tree.
type Issue struct {
	Kind Kind
	// Node is where the problem is written: the key of an unknown or
	// duplicate field, the value of a wrong one.
	Node *yaml.Node
	// Path is the field's path as field.Path prints it:
	// spec.template.spec.readinessProbe.periodSeconds, metadata.labels[app].
	Path string
	// Message says what is wrong, in the words of a linter finding.
	Message string
	// Name is the key of an UnknownField or DuplicateKey issue; Parent is
	// the path of the mapping that holds it and Known the fields that
	// mapping's type has (UnknownField).
	Name, Parent string
	Known        []string
	// First is the earlier key of a DuplicateKey issue.
	First *yaml.Node
	// Want says what an InvalidType or Ambiguous value should have been:
	// "an integer", "true or false", "a string".
	Want string
	// Err is the error of a type's own UnmarshalJSON (InvalidType).
	Err error
}

// Options are the decoder's settings; the zero value decodes strictly with
// the default limits.
type Options struct {
	// Template tolerates ${PARAM} placeholders (OpenShift Templates): they
	// are TemplateParam issues rather than type errors.
	Template bool
	// SkipStatus leaves a top-level status field undecoded: it is written
	// by controllers, not by users.
	SkipStatus bool
	// MaxNodes and MaxDepth bound the work one value may cause (alias
	// expansion, nesting); 0 means 1<<20 nodes and 256 levels.
	MaxNodes, MaxDepth int
}

// Result is what Decode found.
type Result struct {
	// Issues are the problems, in the order of the input.
	Issues []Issue
	// Stopped is true when a limit ended the decoding early.
	Stopped bool
}

// Decode fills the value v points to from node n by v's JSON field names
// (or its yaml names, for a struct without json tags), the way the API
// server's strict decoding reads the JSON that kubectl sends. Unlike a JSON
// round trip it keeps positions: every unknown field, duplicate key and
// wrong type is an Issue at its node, and decoding goes on past it, so one
// typo does not hide the rest. Aliases are followed and merge keys (<<)
// expanded; YAML 1.1 booleans and octal-looking numbers are Ambiguous.
//
// It walks the Go types field by field even where kubevirt.io/api defines an
// UnmarshalJSON that would otherwise decode without strictness.
func Decode(n *yaml.Node, v any, opts Options) Result {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic("yamldecode: Decode needs a non-nil pointer")
	}
	d := &decoder{opts: opts, maxNodes: opts.MaxNodes, maxDepth: opts.MaxDepth}
	if d.maxNodes <= 0 {
		d.maxNodes = 1 << 20
	}
	if d.maxDepth <= 0 {
		d.maxDepth = 256
	}
	d.decode(n, rv.Elem())
	return Result{Issues: d.issues, Stopped: d.stopped}
}

type decoder struct {
	issues   []Issue
	opts     Options
	maxNodes int
	maxDepth int
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

func (d *decoder) add(kind Kind, n *yaml.Node, format string, args ...any) {
	d.addIssue(Issue{Kind: kind, Node: n, Message: fmt.Sprintf(format, args...)})
}

// addIssue records is at the current path.
func (d *decoder) addIssue(is Issue) {
	is.Path = d.path()
	if len(d.issues) >= maxIssues {
		if !d.stopped {
			d.stopped = true
			d.issues = append(d.issues, Issue{Kind: TooComplex, Node: is.Node, Path: is.Path,
				Message: fmt.Sprintf("more than %d problems in this object; not decoded further", maxIssues)})
		}
		return
	}
	d.issues = append(d.issues, is)
}

// enter counts a node against the limits; it returns false once they are hit.
func (d *decoder) enter(n *yaml.Node) bool {
	if d.stopped {
		return false
	}
	d.visited++
	if d.visited > d.maxNodes {
		d.stopped = true
		if d.expanding != nil {
			n = d.expanding
		}
		d.add(TooComplex, n, "object expands to more than %d nodes (alias bomb?); not decoded further", d.maxNodes)
		return false
	}
	if d.depth > d.maxDepth {
		d.stopped = true
		d.add(TooComplex, n, "object is nested deeper than %d levels; not decoded further", d.maxDepth)
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
		d.decodeResolved(yamlpos.Resolve(n), v, ti)
		d.expanding = nil
		return
	}
	d.decodeResolved(yamlpos.Resolve(n), v, ti)
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
	if d.opts.Template && n.Kind == yaml.ScalarNode && ti.plan != planString && templateParam.MatchString(n.Value) {
		d.add(TemplateParam, n, "template parameter %s is not checked; values are known only after processing", n.Value)
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
				d.add(InvalidType, n, "invalid timestamp %q: want RFC 3339", s)
				return
			}
			v.Set(reflect.ValueOf(metav1.NewTime(tm)))
		}
	case planDuration:
		if s, ok := d.scalarString(n, "a duration"); ok {
			dur, err := time.ParseDuration(s)
			if err != nil {
				d.add(InvalidType, n, "invalid duration %q", s)
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
			d.addIssue(Issue{Kind: InvalidType, Node: n, Message: fmt.Sprintf("invalid value: %v", err), Err: err})
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
		d.add(InvalidType, n, "cannot decode into %s", ti.t)
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
	msg := fmt.Sprintf("%s must be %s, not %s %q%s", d.lastSegment(), want, got, n.Value, hint)
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		// A list or an object has no value worth quoting: `timer must be an
		// object, not a list` without a stray "".
		msg = fmt.Sprintf("%s must be %s, not %s%s", d.lastSegment(), want, got, hint)
	}
	d.addIssue(Issue{Kind: InvalidType, Node: n, Message: msg, Want: want})
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
		d.addIssue(Issue{Kind: InvalidType, Node: n, Want: want, Message: fmt.Sprintf(
			"%s: kubectl and other YAML 1.1 tools send %s as a boolean, which the API server refuses here; quote it: %q",
			d.lastSegment(), n.Value, n.Value)})
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
				d.add(InvalidType, n, "invalid base64 data: %v", err)
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
		d.add(InvalidType, n, "cannot decode a map keyed by %s", t.Key())
		return
	}
	m := reflect.MakeMapWithSize(t, len(n.Content)/2)
	seen := make(map[string]bool, len(n.Content)/2)
	d.eachPair(n, func(k, val *yaml.Node) {
		d.push("[" + k.Value + "]")
		defer d.pop()
		if seen[k.Value] {
			d.addIssue(Issue{Kind: DuplicateKey, Node: k, Name: k.Value, First: firstKey(n, k),
				Message: fmt.Sprintf("duplicate key %q (the API server rejects it; YAML tools keep only one of the values)", k.Value)})
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
