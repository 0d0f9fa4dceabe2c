package policytest

import (
	"context"
	"fmt"
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/cel/environment"

	"github.com/vmhealth/vmhealth/policy"
)

// Evaluator runs the policies of a Set on objects with the API server's
// own admission code, without an API server: no schema validation, no
// pruning, no defaulting.
type Evaluator struct {
	byKind map[string]evalPolicy
}

type evalPolicy struct {
	kind      policy.Kind
	validator validating.Validator
}

// NewEvaluator compiles the set's policies as the API server stores them.
func NewEvaluator(set *policy.Set) (*Evaluator, error) {
	e := &Evaluator{byKind: map[string]evalPolicy{}}
	for _, p := range set.Policies {
		v, err := compile(p.Policy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Policy.Name, err)
		}
		e.byKind[p.Kind.Kind] = evalPolicy{kind: p.Kind, validator: v}
	}
	return e, nil
}

func compile(p *admissionregistrationv1.ValidatingAdmissionPolicy) (validating.Validator, error) {
	cc, err := plugincel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		return nil, err
	}
	withAuthz := plugincel.OptionalVariableDeclarations{HasAuthorizer: true}
	for _, v := range p.Spec.Variables {
		cc.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, withAuthz, environment.StoredExpressions)
	}
	var conds []plugincel.ExpressionAccessor
	for i := range p.Spec.MatchConditions {
		conds = append(conds, (*matchconditions.MatchCondition)(&p.Spec.MatchConditions[i]))
	}
	validations := make([]plugincel.ExpressionAccessor, len(p.Spec.Validations))
	messages := make([]plugincel.ExpressionAccessor, len(p.Spec.Validations))
	for i, v := range p.Spec.Validations {
		validations[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message}
		if v.MessageExpression != "" {
			messages[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
		}
	}
	matcher := matchconditions.NewMatcher(cc.CompileCondition(conds, withAuthz, environment.StoredExpressions),
		p.Spec.FailurePolicy, "policy", "validate", p.Name)
	return validating.NewValidator(
		cc.CompileCondition(validations, withAuthz, environment.StoredExpressions),
		matcher,
		cc.CompileCondition(nil, plugincel.OptionalVariableDeclarations{}, environment.StoredExpressions),
		cc.CompileCondition(messages, plugincel.OptionalVariableDeclarations{}, environment.StoredExpressions),
		p.Spec.FailurePolicy, nil), nil
}

// Evaluate creates obj, as far as the policies can tell, and returns the
// messages of the validations it fails, in the policy's order: a Deny
// binding reports the first, a Warn binding all of them. Evaluation
// errors come back as messages too, as they deny the request under
// failurePolicy Fail.
func (e *Evaluator) Evaluate(obj map[string]any) ([]string, error) {
	u := &unstructured.Unstructured{Object: obj}
	p, ok := e.byKind[u.GetKind()]
	if !ok {
		return nil, fmt.Errorf("no policy for kind %q", u.GetKind())
	}
	gv, err := schema.ParseGroupVersion(u.GetAPIVersion())
	if err != nil {
		return nil, err
	}
	gvk := gv.WithKind(u.GetKind())
	gvr := gv.WithResource(p.kind.Resource)
	attrs := admission.NewAttributesRecord(u, nil, gvk, u.GetNamespace(), u.GetName(), gvr, "",
		admission.Create, &metav1.CreateOptions{}, false, &user.DefaultInfo{Name: "policytest"})
	res := p.validator.Validate(context.Background(), gvr,
		&admission.VersionedAttributes{Attributes: attrs, VersionedObject: admission.NewLazyObject(u), VersionedKind: gvk},
		nil, nil, celconfig.RuntimeCELCostBudget, nil)
	var out []string
	for _, d := range res.Decisions {
		if d.Action == validating.ActionDeny {
			out = append(out, d.Message)
		}
	}
	return slices.Clip(out), nil
}
