package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/cel-go/cel"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/version"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/common"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/apiserver/pkg/cel/library"
	"k8s.io/apiserver/pkg/cel/openapi"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// TypeCheck checks every expression of the set against the schemas of the
// given CustomResourceDefinitions (KubeVirt's, as installed in the cluster),
// as the API server's type checker does: a misspelt field or a comparison of
// mismatched types is reported here, where at run time it would only make
// the expression fail. Unlike the API server, which types variables of
// object type as dyn, it writes the variables out in each expression, so
// that every field a rule reads through variables.spec is checked too. A
// kind whose CRD is not given is not checked; an error means no kind could
// be.
func TypeCheck(set *Set, crds []*apiextensionsv1.CustomResourceDefinition) ([]ExpressionError, error) {
	var out []ExpressionError
	checked := 0
	for _, p := range set.Policies {
		pol := inlineVariables(p.Policy.DeepCopy())
		for _, crd := range crds {
			if crd.Spec.Group != p.Kind.Group || crd.Spec.Names.Plural != p.Kind.Resource {
				continue
			}
			for _, v := range crd.Spec.Versions {
				if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
					continue
				}
				env, err := typedEnv(crd.Spec.Names.Kind+v.Name, v.Schema.OpenAPIV3Schema)
				if err != nil {
					return nil, fmt.Errorf("schema of %s %s: %w", crd.Name, v.Name, err)
				}
				checked++
				gv := crd.Spec.Group + "/" + v.Name
				for _, e := range typeCheckPolicy(env, p, pol) {
					e.Detail = gv + ", " + crd.Spec.Names.Kind + ": " + e.Detail
					out = append(out, e)
				}
			}
		}
	}
	if checked == 0 {
		return nil, errors.New("none of the CustomResourceDefinitions is one of KubeVirt's with a VMI spec")
	}
	return out, nil
}

// typeCheckPolicy compiles the expressions of pol, p's policy with its
// variables written out, in env.
func typeCheckPolicy(env *cel.Env, p Policy, pol *admissionregistrationv1.ValidatingAdmissionPolicy) []ExpressionError {
	var out []ExpressionError
	check := func(fld *field.Path, ruleID, expr string, want *cel.Type) {
		ast, iss := env.Compile(expr)
		detail := ""
		switch {
		case iss.Err() != nil:
			detail = iss.Err().Error()
		case want != nil && !ast.OutputType().IsExactType(want) && !ast.OutputType().IsExactType(cel.DynType):
			detail = fmt.Sprintf("must evaluate to %v but got %v", want, ast.OutputType())
		}
		if detail != "" {
			out = append(out, ExpressionError{Policy: p.Policy.Name, Field: fld.String(), RuleID: ruleID, Detail: detail})
		}
	}
	for i, v := range pol.Spec.Variables {
		check(field.NewPath("spec", "variables").Index(i).Child("expression"), "", v.Expression, nil)
	}
	for i, mc := range pol.Spec.MatchConditions {
		check(field.NewPath("spec", "matchConditions").Index(i).Child("expression"), "", mc.Expression, cel.BoolType)
	}
	for i, v := range pol.Spec.Validations {
		fld := field.NewPath("spec", "validations").Index(i)
		check(fld.Child("expression"), ruleAt(p, i), v.Expression, cel.BoolType)
		if v.MessageExpression != "" {
			check(fld.Child("messageExpression"), ruleAt(p, i), v.MessageExpression, cel.StringType)
		}
	}
	return out
}

// typedEnv is the CEL environment of a policy whose object and oldObject
// have the given schema, at MinKubernetes.
func typedEnv(typeName string, props *apiextensionsv1.JSONSchemaProps) (*cel.Env, error) {
	s, err := toSpecSchema(props)
	if err != nil {
		return nil, err
	}
	object := common.SchemaDeclType(&openapi.Schema{Schema: s}, true)
	if object == nil {
		return nil, errors.New("the schema has no type")
	}
	object = object.MaybeAssignTypeName(typeName)
	request, namespace := plugincel.BuildRequestType(), plugincel.BuildNamespaceType()
	envSet, err := environment.MustBaseEnvSet(MinKubernetes).Extend(environment.VersionedOptions{
		IntroducedVersion: version.MajorMinor(1, 0),
		EnvOptions: []cel.EnvOption{
			cel.Variable(plugincel.ObjectVarName, object.CelType()),
			cel.Variable(plugincel.OldObjectVarName, object.CelType()),
			cel.Variable(plugincel.RequestVarName, request.CelType()),
			cel.Variable(plugincel.NamespaceVarName, namespace.CelType()),
			cel.Variable("authorizer", library.AuthorizerType),
		},
		DeclTypes: []*apiservercel.DeclType{object, request, namespace},
	})
	if err != nil {
		return nil, err
	}
	return envSet.Env(environment.NewExpressions)
}

// objectMeta is the part of ObjectMeta's schema that expressions read; a
// CRD's own schema says only that metadata is an object.
const objectMeta = `{"type": "object", "properties": {
	"name": {"type": "string"}, "namespace": {"type": "string"}, "generateName": {"type": "string"},
	"labels": {"type": "object", "additionalProperties": {"type": "string"}},
	"annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}`

func toSpecSchema(props *apiextensionsv1.JSONSchemaProps) (*spec.Schema, error) {
	data, err := json.Marshal(props)
	if err != nil {
		return nil, err
	}
	s := new(spec.Schema)
	if err := json.Unmarshal(data, s); err != nil {
		return nil, err
	}
	var metaSchema spec.Schema
	if err := json.Unmarshal([]byte(objectMeta), &metaSchema); err != nil {
		return nil, err
	}
	if s.Properties == nil {
		s.Properties = map[string]spec.Schema{}
	}
	s.Properties["metadata"] = metaSchema
	return s, nil
}

// ReadCRDs reads the CustomResourceDefinitions in the files of dir (not
// its subdirectories): JSON or YAML, one or several documents a file, each
// a CRD or a List of them, as kubectl get crd -o yaml writes. Other
// objects are skipped.
func ReadCRDs(dir string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".json" && ext != ".yaml" && ext != ".yml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		crds, err := decodeCRDs(data)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, e.Name()), err)
		}
		out = append(out, crds...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no CustomResourceDefinition in %s", dir)
	}
	return out, nil
}

func decodeCRDs(data []byte) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*apiextensionsv1.CustomResourceDefinition
	for {
		var doc struct {
			Kind  string            `json:"kind"`
			Items []json.RawMessage `json:"items"`
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, err
		}
		items := []json.RawMessage{raw}
		if doc.Kind == "List" || strings.HasSuffix(doc.Kind, "List") {
			items = doc.Items
		}
		for _, item := range items {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := json.Unmarshal(item, &crd); err != nil {
				return nil, err
			}
			if crd.Kind == "CustomResourceDefinition" {
				out = append(out, &crd)
			}
		}
	}
}

// inlineVariables returns p with every variables.<name> in its expressions
// replaced by the variable's expression, in parentheses.
func inlineVariables(p *admissionregistrationv1.ValidatingAdmissionPolicy) *admissionregistrationv1.ValidatingAdmissionPolicy {
	inlined := map[string]string{}
	expand := func(expr string) string {
		for name, value := range inlined {
			expr = replaceIdent(expr, "variables."+name, "("+value+")")
		}
		return expr
	}
	for i := range p.Spec.Variables {
		v := &p.Spec.Variables[i]
		v.Expression = expand(v.Expression)
		inlined[v.Name] = v.Expression
	}
	for i := range p.Spec.MatchConditions {
		p.Spec.MatchConditions[i].Expression = expand(p.Spec.MatchConditions[i].Expression)
	}
	for i := range p.Spec.Validations {
		v := &p.Spec.Validations[i]
		v.Expression = expand(v.Expression)
		if v.MessageExpression != "" {
			v.MessageExpression = expand(v.MessageExpression)
		}
	}
	return p
}

// replaceIdent replaces the dotted name old in expr, where it is not part
// of a longer name, by new.
func replaceIdent(expr, old, new string) string {
	var b strings.Builder
	for {
		j := strings.Index(expr, old)
		if j < 0 {
			b.WriteString(expr)
			return b.String()
		}
		end := j + len(old)
		whole := (j == 0 || !identChar(expr[j-1]) && expr[j-1] != '.') && (end == len(expr) || !identChar(expr[end]))
		b.WriteString(expr[:j])
		if whole {
			b.WriteString(new)
		} else {
			b.WriteString(old)
		}
		expr = expr[end:]
	}
}
