package yamldecode

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func (d *decoder) decodeIntOrString(n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str":
			v.Set(reflect.ValueOf(intstr.FromString(n.Value)))
			return
		case "!!int":
			i, err := parseYAMLInt(n.Value, 32)
			if err != nil {
				d.add(InvalidType, n, "%s %s does not fit in a 32-bit integer", d.lastSegment(), n.Value)
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
				d.add(InvalidType, n, "invalid quantity %q: %v", n.Value, err)
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
		d.add(InvalidType, n, "%s %s does not fit in a %d-bit integer", d.lastSegment(), n.Value, v.Type().Bits())
		return
	}
	if n.Style == 0 && octalLooking.MatchString(n.Value) {
		d.addIssue(Issue{Kind: Ambiguous, Node: n, Want: "an integer", Message: fmt.Sprintf(
			"%s: %s is read as the octal number %d by kubectl and YAML parsers; write %d if you mean it, or the decimal number without the leading zero",
			d.lastSegment(), n.Value, i, i)})
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
		d.add(InvalidType, n, "%s %s is not a non-negative %d-bit integer", d.lastSegment(), n.Value, v.Type().Bits())
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
		d.add(InvalidType, n, "%s %s is not a finite number", d.lastSegment(), n.Value)
		return
	}
	v.SetFloat(f)
}

func (d *decoder) decodeBool(n *yaml.Node, v reflect.Value) {
	if b, ok := yaml11Bool(n); ok {
		d.addIssue(Issue{Kind: Ambiguous, Node: n, Want: "true or false", Message: fmt.Sprintf(
			"%s: %s is a boolean (%v) for kubectl and YAML 1.1 tools but a string for YAML 1.2 tools; write %v",
			d.lastSegment(), n.Value, b, b)})
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
