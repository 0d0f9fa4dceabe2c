package policy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/vmhealth/vmhealth/validate"
)

// Labels and annotations on the generated objects.
const (
	// LabelManagedBy marks the objects as written by vmhealth.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// AnnotationRules lists, comma-separated, the rules a policy enforces.
	AnnotationRules = "vmhealth.io/rules"
)

// probeFields are the probes of a VMI spec, in the order lint checks them.
var probeFields = []string{"readinessProbe", "livenessProbe"}

// networkHandlers are the probe handlers that have a port.
var networkHandlers = []string{"httpGet", "tcpSocket"}

func buildPolicy(name string, k Kind, rules []*validate.Rule, arch string, honourIgnore bool) (*admissionregistrationv1.ValidatingAdmissionPolicy, []string) {
	spec := "object." + k.SpecPath
	vars := []admissionregistrationv1.Variable{
		{Name: "spec", Expression: spec},
		{Name: "arch", Expression: "variables.spec.?architecture.orValue('') != '' ? variables.spec.architecture : " + celString(arch)},
	}
	conditions := []admissionregistrationv1.MatchCondition{
		{Name: "has-vmi-spec", Expression: hasPath("object", k.SpecPath)},
		// An update that leaves the VMI spec alone is let through, so that
		// controllers can keep managing objects created before the policy.
		{Name: "vmi-spec-changed", Expression: "request.operation != 'UPDATE' || !(" + hasPath("oldObject", k.SpecPath) + ") || " +
			"oldObject." + k.SpecPath + " != " + spec},
	}
	if honourIgnore {
		annotation := "object.metadata.?annotations[?" + celString(validate.IgnoreAnnotation) + "].orValue('')"
		vars = append(vars, admissionregistrationv1.Variable{Name: "ignoredRules", Expression: annotation + ".split(',').map(s, s.trim())"})
		conditions = append(conditions, admissionregistrationv1.MatchCondition{
			Name: "not-ignored", Expression: "!" + annotation + ".split(',').exists(s, s.trim() in ['all', '*'])",
		})
	}
	for _, v := range validate.CELVariables {
		vars = append(vars, admissionregistrationv1.Variable{Name: v.Name, Expression: v.Expression})
	}

	var validations []admissionregistrationv1.Validation
	var ruleIDs, ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
		for _, v := range r.CEL.Validations {
			for _, in := range instances(v.Scope) {
				validations = append(validations, buildValidation(r.ID, k, in, v, honourIgnore))
				ruleIDs = append(ruleIDs, r.ID)
			}
		}
	}
	return &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      map[string]string{LabelManagedBy: "vmhealth"},
			Annotations: map[string]string{AnnotationRules: strings.Join(ids, ",")},
		},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
						Rule: admissionregistrationv1.Rule{
							APIGroups:   []string{k.Group},
							APIVersions: []string{"*"},
							Resources:   []string{k.Resource},
						},
					},
				}},
			},
			MatchConditions: conditions,
			Variables:       vars,
			Validations:     validations,
		},
	}, ruleIDs
}

func buildBinding(name string, actions []admissionregistrationv1.ValidationAction, sel *metav1.LabelSelector) *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
	b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   name,
			Labels: map[string]string{LabelManagedBy: "vmhealth"},
		},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: actions,
		},
	}
	if sel != nil {
		b.Spec.MatchResources = &admissionregistrationv1.MatchResources{NamespaceSelector: sel.DeepCopy()}
	}
	return b
}

// instance is one place a validation of some scope is checked: a probe,
// and a handler of it, or neither for the VMI spec.
type instance struct {
	probe, handler string
}

func instances(scope validate.CELScope) []instance {
	var out []instance
	switch scope {
	case validate.CELScopeProbe:
		for _, p := range probeFields {
			out = append(out, instance{probe: p})
		}
	case validate.CELScopeLivenessProbe:
		out = append(out, instance{probe: "livenessProbe"})
	case validate.CELScopeNetworkHandler:
		for _, p := range probeFields {
			for _, h := range networkHandlers {
				out = append(out, instance{probe: p, handler: h})
			}
		}
	default:
		out = append(out, instance{})
	}
	return out
}

// path is the instance's field path in an object of kind k.
func (in instance) path(k Kind) string {
	return joinPath(k.SpecPath, in.probe, in.handler)
}

// guard is true when the instance is absent from the object.
func (in instance) guard() string {
	var g []string
	if in.probe != "" {
		g = append(g, "!has(variables.spec."+in.probe+")")
	}
	if in.handler != "" {
		g = append(g, "!has(variables.spec."+in.probe+"."+in.handler+")")
	}
	return strings.Join(g, " || ")
}

// bind binds probe, handler, probeName and handlerName, those the
// instance has and expr uses, around expr: with all() for a condition, with
// map() for a value.
func (in instance) bind(expr string, condition bool) string {
	type binding struct{ name, value string }
	var bs []binding
	if in.probe != "" {
		bs = append(bs, binding{"probe", "variables.spec." + in.probe}, binding{"probeName", celString(in.probe)})
	}
	if in.handler != "" {
		bs = append(bs, binding{"handler", "probe." + in.handler}, binding{"handlerName", celString(in.handler)})
	}
	// handler is selected from probe, so it needs probe bound.
	needProbe := usesName(expr, "handler")
	for i := len(bs) - 1; i >= 0; i-- {
		b := bs[i]
		if !usesName(expr, b.name) && !(b.name == "probe" && needProbe) {
			continue
		}
		if condition {
			expr = fmt.Sprintf("[%s].all(%s, %s)", b.value, b.name, expr)
		} else {
			expr = fmt.Sprintf("[%s].map(%s, %s)[0]", b.value, b.name, expr)
		}
	}
	return expr
}

func buildValidation(id string, k Kind, in instance, v validate.CELValidation, honourIgnore bool) admissionregistrationv1.Validation {
	expr := in.bind(v.Expression, true)
	if g := in.guard(); g != "" {
		expr = g + " ||\n" + expr
	}
	if honourIgnore {
		expr = celString(id) + " in variables.ignoredRules ||\n" + expr
	}
	out := admissionregistrationv1.Validation{
		Expression: expr,
		Message:    fmt.Sprintf("[%s] %s: %s", id, joinPath(in.path(k), v.Field), v.Message),
	}
	if v.MessageExpression == "" && v.FieldExpression == "" {
		return out
	}
	prefix := celString("[" + id + "] " + joinPath(in.path(k), v.Field) + ": ")
	if v.FieldExpression != "" {
		prefix = celString("["+id+"] "+in.path(k)+".") + " + (" + v.FieldExpression + ") + ': '"
	}
	msg := celString(v.Message)
	if v.MessageExpression != "" {
		msg = "(" + v.MessageExpression + ")"
	}
	out.MessageExpression = in.bind(prefix+" +\n"+msg, false)
	return out
}

// hasPath is a CEL condition that every field on the dotted path below
// root is set.
func hasPath(root, path string) string {
	var parts []string
	sel := root
	for _, f := range strings.Split(path, ".") {
		sel += "." + f
		parts = append(parts, "has("+sel+")")
	}
	return strings.Join(parts, " && ")
}

func joinPath(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, ".")
}

// celString quotes s as a CEL string literal: in single quotes, like the
// rules' own literals, unless it needs escapes (Go's escapes are CEL's).
func celString(s string) string {
	if strings.ContainsAny(s, `'\`) || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return "'" + s + "'"
}

// usesName reports whether the identifier name occurs in expr.
func usesName(expr, name string) bool {
	for i := 0; ; {
		j := strings.Index(expr[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		if (start == 0 || !identChar(expr[start-1])) && (end == len(expr) || !identChar(expr[end])) {
			return true
		}
		i = end
	}
}

func identChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
