package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// Kind is a KubeVirt kind that carries a VMI spec, which a policy checks.
type Kind struct {
	// Kind is the object's kind, such as VirtualMachine.
	Kind string
	// Group and Resource are what the policy matches; every served version
	// is matched.
	Group, Resource string
	// SpecPath is where the VMI spec sits in the object.
	SpecPath string
}

// Kinds are the kinds Generate writes a policy for.
var Kinds = func() []Kind {
	var out []Kind
	for _, k := range kubevirtkinds.All {
		out = append(out, Kind{Kind: k.Kind, Group: k.Group, Resource: k.Resource, SpecPath: strings.Join(k.SpecPath, ".")})
	}
	return out
}()

// DefaultName is the default prefix of the policies' and bindings' names.
const DefaultName = "vmhealth"

// ParseActions reads validation actions as written on the command line:
// "Deny", "Warn", "Audit", or several joined by commas ("Warn,Audit").
// Case does not matter. Deny cannot be combined with Warn, as the API
// server requires.
func ParseActions(s string) ([]admissionregistrationv1.ValidationAction, error) {
	known := []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny, admissionregistrationv1.Warn, admissionregistrationv1.Audit}
	var out []admissionregistrationv1.ValidationAction
	for _, word := range strings.Split(s, ",") {
		word = strings.TrimSpace(word)
		i := slices.IndexFunc(known, func(a admissionregistrationv1.ValidationAction) bool { return strings.EqualFold(string(a), word) })
		if i < 0 {
			return nil, fmt.Errorf("unknown action %q: use Deny, Warn or Audit", word)
		}
		if !slices.Contains(out, known[i]) {
			out = append(out, known[i])
		}
	}
	if slices.Contains(out, admissionregistrationv1.Deny) && slices.Contains(out, admissionregistrationv1.Warn) {
		return nil, errors.New("actions Deny and Warn cannot be combined: a denied request returns no warnings")
	}
	return out, nil
}

// Options configure Generate. The zero value enforces every error-level
// rule that has a CEL form, denying objects that fail, in every namespace.
type Options struct {
	// Registry supplies the rules; nil means validate.DefaultRegistry.
	Registry *validate.Registry
	// Rules are the IDs of the rules to enforce. Empty means every rule
	// with a CEL form whose severity, after SeverityOverrides, is error
	// and that Disabled does not turn off. A rule named here is enforced
	// whatever Disabled and SeverityOverrides say.
	Rules []string
	// Disabled and SeverityOverrides are the rule settings of the
	// configuration file, as validate.Options has them.
	Disabled          map[string]bool
	SeverityOverrides map[string]validate.Severity
	// Actions are the bindings' validationActions; empty means Deny.
	Actions []admissionregistrationv1.ValidationAction
	// NamespaceSelector limits the bindings to matching namespaces; nil
	// means every namespace.
	NamespaceSelector *metav1.LabelSelector
	// Name prefixes the names of the policies and bindings; empty means
	// DefaultName.
	Name string
	// Architecture is assumed for VMs that set no spec.architecture, as
	// in validate.Options: the cluster's default. Empty means amd64.
	Architecture string
	// NoIgnoreAnnotation makes the policies disregard the
	// vmhealth.io/ignore annotation, which lint honours and, by default,
	// the policies too.
	NoIgnoreAnnotation bool
}

// Policy is the ValidatingAdmissionPolicy and binding of one kind.
type Policy struct {
	Kind    Kind
	Policy  *admissionregistrationv1.ValidatingAdmissionPolicy
	Binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// RuleIDs names, for each of Policy.Spec.Validations, the rule it
	// enforces.
	RuleIDs []string
}

// Set is what Generate returns: the rules enforced and a policy for each
// of Kinds.
type Set struct {
	Rules    []*validate.Rule
	Policies []Policy
}

// Generate builds the policies and bindings that enforce the selected
// rules.
func Generate(opts Options) (*Set, error) {
	rules, err := SelectRules(opts)
	if err != nil {
		return nil, err
	}
	name := opts.Name
	if name == "" {
		name = DefaultName
	}
	arch := opts.Architecture
	if arch == "" {
		arch = probespec.ArchAMD64
	}
	actions := opts.Actions
	if len(actions) == 0 {
		actions = []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny}
	}
	set := &Set{Rules: rules}
	for _, k := range Kinds {
		objName := name + "-" + k.Resource
		if msgs := validation.IsDNS1123Subdomain(objName); len(msgs) > 0 {
			return nil, fmt.Errorf("invalid name %q: %s", name, strings.Join(msgs, "; "))
		}
		p := Policy{Kind: k}
		p.Policy, p.RuleIDs = buildPolicy(objName, k, rules, arch, !opts.NoIgnoreAnnotation)
		p.Binding = buildBinding(objName, actions, opts.NamespaceSelector)
		set.Policies = append(set.Policies, p)
	}
	return set, nil
}

// SelectRules returns the rules Generate would enforce, sorted by ID.
func SelectRules(opts Options) ([]*validate.Rule, error) {
	reg := opts.Registry
	if reg == nil {
		reg = validate.DefaultRegistry
	}
	if len(opts.Rules) == 0 {
		var out []*validate.Rule
		for _, r := range reg.Rules() {
			sev := r.Severity
			if s, ok := opts.SeverityOverrides[r.ID]; ok {
				sev = s
			}
			if r.InCluster() && sev == validate.SeverityError && !opts.Disabled[r.ID] {
				out = append(out, r)
			}
		}
		if len(out) == 0 {
			return nil, errors.New("no rule to enforce: every error-level rule with a CEL form is turned off")
		}
		return out, nil
	}
	var out []*validate.Rule
	var errs []error
	for _, id := range opts.Rules {
		r, ok := reg.Get(id)
		switch {
		case !ok:
			errs = append(errs, unknownRule(reg, id))
		case !r.InCluster():
			errs = append(errs, fmt.Errorf("rule %s cannot be enforced in a cluster: %s", id, noCELReason(r)))
		case !slices.Contains(out, r):
			out = append(out, r)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *validate.Rule) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func unknownRule(reg *validate.Registry, id string) error {
	var ids []string
	for _, r := range reg.Rules() {
		ids = append(ids, r.ID)
	}
	if s := validate.Suggest(id, ids); s != "" {
		return fmt.Errorf("unknown rule %q (did you mean %s?)", id, s)
	}
	return fmt.Errorf("unknown rule %q", id)
}

func noCELReason(r *validate.Rule) string {
	if r.CEL != nil && r.CEL.NoCEL != "" {
		return strings.TrimSuffix(r.CEL.NoCEL, ".")
	}
	return "it has no CEL form"
}
