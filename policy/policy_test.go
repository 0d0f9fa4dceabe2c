package policy

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/validate"
)

func TestParseActions(t *testing.T) {
	tests := []struct {
		in      string
		want    []admissionregistrationv1.ValidationAction
		wantErr string
	}{
		{in: "Deny", want: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny}},
		{in: "warn", want: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn}},
		{in: "Warn,Audit", want: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn, admissionregistrationv1.Audit}},
		{in: "Deny, Audit, Deny", want: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny, admissionregistrationv1.Audit}},
		{in: "Deny,Warn", wantErr: "cannot be combined"},
		{in: "Reject", wantErr: `unknown action "Reject"`},
		{in: "", wantErr: "unknown action"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseActions(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseActions(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("ParseActions(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

// enforceable lists the error-level rules that have a CEL form.
func enforceable() []string {
	var ids []string
	for _, r := range validate.DefaultRegistry.Rules() {
		if r.InCluster() && r.Severity == validate.SeverityError {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func ruleIDs(rules []*validate.Rule) []string {
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestSelectRules(t *testing.T) {
	all := enforceable()
	without := func(id string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == id })
	}
	tests := []struct {
		name    string
		opts    Options
		want    []string
		wantErr string
	}{
		{name: "default", want: all},
		{name: "disabled by the config file", opts: Options{Disabled: map[string]bool{"watchdog-action": true}}, want: without("watchdog-action")},
		{name: "lowered to a warning", opts: Options{SeverityOverrides: map[string]validate.Severity{"probe-http-scheme": validate.SeverityWarning}}, want: without("probe-http-scheme")},
		{name: "a rule without CEL raised to error", opts: Options{SeverityOverrides: map[string]validate.Severity{"readiness-probe-missing": validate.SeverityError}}, want: all},
		{name: "explicit, sorted, deduplicated", opts: Options{Rules: []string{"watchdog-action", "probe-port-range", "watchdog-action"}}, want: []string{"probe-port-range", "watchdog-action"}},
		{name: "explicit wins over the config file", opts: Options{Rules: []string{"watchdog-action"}, Disabled: map[string]bool{"watchdog-action": true}}, want: []string{"watchdog-action"}},
		{name: "unknown", opts: Options{Rules: []string{"watchdog-actoin"}}, wantErr: `unknown rule "watchdog-actoin" (did you mean watchdog-action?)`},
		{name: "no CEL form", opts: Options{Rules: []string{"unknown-field"}}, wantErr: "rule unknown-field cannot be enforced in a cluster: The CRD schema declares every field"},
		{name: "everything off", opts: Options{Disabled: func() map[string]bool {
			m := map[string]bool{}
			for _, id := range all {
				m[id] = true
			}
			return m
		}()}, wantErr: "no rule to enforce"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SelectRules(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ids := ruleIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("rules = %v\nwant %v", ids, tt.want)
			}
		})
	}
}

// TestEnforceableRules pins the rules the issue asks to enforce at least.
func TestEnforceableRules(t *testing.T) {
	for _, id := range []string{
		"probe-multiple-handlers", "probe-no-handler", "probe-period-not-above-timeout",
		"liveness-success-threshold", "probe-port-range", "probe-exec-command-empty",
		"watchdog-action", "watchdog-model-architecture", "probe-port-not-forwarded",
		"probe-http-scheme", "probe-initial-delay-negative", "liveness-probe-paused",
		"probe-needs-pod-network", "probe-named-port-undeclared",
	} {
		if !slices.Contains(enforceable(), id) {
			t.Errorf("rule %s is not enforceable in a cluster", id)
		}
	}
}

func TestGenerate(t *testing.T) {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}
	set, err := Generate(Options{Name: "kv", Actions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn}, NamespaceSelector: sel})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Policies) != len(Kinds) {
		t.Fatalf("%d policies, want one for each of %d kinds", len(set.Policies), len(Kinds))
	}
	for i, p := range set.Policies {
		k := Kinds[i]
		pol, b := p.Policy, p.Binding
		if want := "kv-" + k.Resource; pol.Name != want || b.Name != want || b.Spec.PolicyName != want {
			t.Errorf("names %s, %s → %s; want %s", pol.Name, b.Name, b.Spec.PolicyName, want)
		}
		if pol.Spec.FailurePolicy == nil || *pol.Spec.FailurePolicy != admissionregistrationv1.Fail || pol.Spec.ParamKind != nil {
			t.Errorf("%s: failurePolicy %v, paramKind %v; want Fail and none", pol.Name, pol.Spec.FailurePolicy, pol.Spec.ParamKind)
		}
		rr := pol.Spec.MatchConstraints.ResourceRules
		if len(rr) != 1 || !slices.Equal(rr[0].APIGroups, []string{k.Group}) || !slices.Equal(rr[0].Resources, []string{k.Resource}) ||
			!slices.Equal(rr[0].APIVersions, []string{"*"}) ||
			!slices.Equal(rr[0].Operations, []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}) {
			t.Errorf("%s: resource rules %+v", pol.Name, rr)
		}
		if got := pol.Spec.Variables[0]; got.Name != "spec" || got.Expression != "object."+k.SpecPath {
			t.Errorf("%s: first variable %+v, want spec = object.%s", pol.Name, got, k.SpecPath)
		}
		if !slices.Equal(b.Spec.ValidationActions, []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn}) {
			t.Errorf("%s: actions %v", b.Name, b.Spec.ValidationActions)
		}
		if b.Spec.MatchResources == nil || b.Spec.MatchResources.NamespaceSelector.MatchLabels["env"] != "prod" {
			t.Errorf("%s: namespace selector %+v", b.Name, b.Spec.MatchResources)
		}
		if len(p.RuleIDs) != len(pol.Spec.Validations) {
			t.Fatalf("%s: %d rule IDs for %d validations", pol.Name, len(p.RuleIDs), len(pol.Spec.Validations))
		}
		for j, v := range pol.Spec.Validations {
			if !strings.HasPrefix(v.Message, "["+p.RuleIDs[j]+"] "+k.SpecPath) {
				t.Errorf("%s: validation %d message %q does not start with its rule and the spec path", pol.Name, j, v.Message)
			}
			if !strings.HasPrefix(v.Expression, "'"+p.RuleIDs[j]+"' in variables.ignoredRules ||") {
				t.Errorf("%s: validation %d does not honour the ignore annotation: %s", pol.Name, j, v.Expression)
			}
		}
		if got, want := pol.Annotations[AnnotationRules], strings.Join(enforceable(), ","); got != want {
			t.Errorf("%s: rules annotation %q, want %q", pol.Name, got, want)
		}
	}
}

func TestGenerateNoIgnoreAnnotation(t *testing.T) {
	set, err := Generate(Options{NoIgnoreAnnotation: true})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(set.Policies[0].Policy)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("ignore")) {
		t.Errorf("the policy still reads the ignore annotation:\n%s", data)
	}
}

func TestGenerateBadName(t *testing.T) {
	if _, err := Generate(Options{Name: "Not_A_Name"}); err == nil || !strings.Contains(err.Error(), `invalid name "Not_A_Name"`) {
		t.Errorf("error = %v", err)
	}
}

// TestWrite reads the YAML and JSON output back strictly into the API
// types: nothing is lost or misspelt on the way out.
func TestWrite(t *testing.T) {
	set, err := Generate(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var y bytes.Buffer
	if err := set.WriteYAML(&y, "line one\nline two"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(y.String(), "# line one\n# line two\n---\n") {
		t.Errorf("YAML starts %q", y.String()[:40])
	}
	docs := strings.Split(y.String(), "\n---\n")[1:]
	if len(docs) != 2*len(Kinds) {
		t.Fatalf("%d YAML documents, want %d", len(docs), 2*len(Kinds))
	}
	for i, doc := range docs {
		if strings.Contains(doc, "creationTimestamp") || strings.Contains(doc, "status:") {
			t.Errorf("document %d carries server-side fields:\n%s", i, doc)
		}
		var target any = &admissionregistrationv1.ValidatingAdmissionPolicy{}
		want := any(set.Policies[i/2].Policy)
		if i%2 == 1 {
			target, want = &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}, set.Policies[i/2].Binding
		}
		if err := yaml.UnmarshalStrict([]byte(doc), target); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		a, _ := json.Marshal(target)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			t.Errorf("document %d does not read back as written", i)
		}
	}

	var j bytes.Buffer
	if err := set.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	var list struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(j.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if list.APIVersion != "v1" || list.Kind != "List" || len(list.Items) != 2*len(Kinds) {
		t.Fatalf("JSON: %s %s with %d items", list.APIVersion, list.Kind, len(list.Items))
	}
	var pol admissionregistrationv1.ValidatingAdmissionPolicy
	if strict, err := sigsjson.UnmarshalStrict(list.Items[0], &pol, sigsjson.DisallowUnknownFields); err != nil || len(strict) > 0 {
		t.Fatalf("JSON item 0: %v %v", err, strict)
	}
	if pol.Name != set.Policies[0].Policy.Name {
		t.Errorf("JSON item 0 is %s", pol.Name)
	}
}
