package policy

import (
	"fmt"

	"github.com/google/cel-go/cel"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/version"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/cel/environment"
)

// MinKubernetes is the oldest Kubernetes whose CEL the policies may use:
// the release in which ValidatingAdmissionPolicy became generally
// available. Compile uses its CEL environment, as an API server of that
// version would for a new policy.
var MinKubernetes = version.MajorMinor(1, 30)

// ExpressionError is an expression of a generated policy that does not
// compile or type-check.
type ExpressionError struct {
	// Policy is the policy's name.
	Policy string
	// Field locates the expression in the policy, such as
	// spec.validations[3].messageExpression.
	Field string
	// RuleID is the rule the expression comes from; empty for the
	// policy's own variables and match conditions.
	RuleID string
	// Detail is the compiler's message.
	Detail string
}

func (e ExpressionError) Error() string {
	who := "the policy itself"
	if e.RuleID != "" {
		who = "rule " + e.RuleID
	}
	return fmt.Sprintf("%s: %s (from %s): %s", e.Policy, e.Field, who, e.Detail)
}

// Compile compiles every expression of the set with Kubernetes' CEL
// libraries in the environment that an API server of MinKubernetes uses to
// admit a new policy, with object typed dynamically as at run time. It
// returns the expressions that fail; none means the policies will be
// accepted.
func Compile(set *Set) []ExpressionError {
	var out []ExpressionError
	for _, p := range set.Policies {
		out = append(out, compilePolicy(p)...)
	}
	return out
}

func compilePolicy(p Policy) []ExpressionError {
	spec := p.Policy.Spec
	fail := func(fld *field.Path, ruleID, detail string) ExpressionError {
		return ExpressionError{Policy: p.Policy.Name, Field: fld.String(), RuleID: ruleID, Detail: detail}
	}
	cc, err := plugincel.NewCompositedCompiler(environment.MustBaseEnvSet(MinKubernetes))
	if err != nil {
		return []ExpressionError{fail(field.NewPath("spec"), "", err.Error())}
	}
	// As the API server: validations and match conditions may use the
	// authorizer, message expressions may not.
	withAuthz := plugincel.OptionalVariableDeclarations{HasAuthorizer: true}
	noAuthz := plugincel.OptionalVariableDeclarations{}
	var out []ExpressionError
	check := func(fld *field.Path, ruleID string, res plugincel.CompilationResult) {
		if res.Error != nil {
			out = append(out, fail(fld, ruleID, res.Error.Detail))
		}
	}
	for i, v := range spec.Variables {
		res := cc.CompileAndStoreVariable(variable{v.Name, v.Expression}, withAuthz, environment.NewExpressions)
		check(field.NewPath("spec", "variables").Index(i).Child("expression"), "", res)
	}
	for i := range spec.MatchConditions {
		check(field.NewPath("spec", "matchConditions").Index(i).Child("expression"), "",
			cc.CompileCELExpression(expression{spec.MatchConditions[i].Expression, cel.BoolType}, withAuthz, environment.NewExpressions))
	}
	for i, v := range spec.Validations {
		fld := field.NewPath("spec", "validations").Index(i)
		id := ruleAt(p, i)
		check(fld.Child("expression"), id,
			cc.CompileCELExpression(expression{v.Expression, cel.BoolType}, withAuthz, environment.NewExpressions))
		if v.MessageExpression != "" {
			check(fld.Child("messageExpression"), id,
				cc.CompileCELExpression(expression{v.MessageExpression, cel.StringType}, noAuthz, environment.NewExpressions))
		}
	}
	return out
}

// expression is a CEL expression that must evaluate to want, as the
// compiler takes it.
type expression struct {
	text string
	want *cel.Type
}

func (e expression) GetExpression() string    { return e.text }
func (e expression) ReturnTypes() []*cel.Type { return []*cel.Type{e.want} }

// variable is a policy variable as the compiler takes it: of any type.
type variable struct{ name, text string }

func (v variable) GetName() string          { return v.name }
func (v variable) GetExpression() string    { return v.text }
func (v variable) ReturnTypes() []*cel.Type { return []*cel.Type{cel.AnyType} }

func ruleAt(p Policy, i int) string {
	if i < len(p.RuleIDs) {
		return p.RuleIDs[i]
	}
	return ""
}
