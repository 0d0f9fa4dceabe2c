package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vmhealth/vmhealth/policy"
	"github.com/vmhealth/vmhealth/validate"
)

// Flag names of policy.
const (
	flagRules              = "rules"
	flagAction             = "action"
	flagNamespaceSelector  = "namespace-selector"
	flagName               = "name"
	flagCheck              = "check"
	flagCRDs               = "crds"
	flagNoIgnoreAnnotation = "no-ignore-annotation"
)

// PolicyOptions hold the dependencies and flags of policy.
type PolicyOptions struct {
	IO *IOStreams
	// Output is yaml or json.
	Output string
	// Policy is what to generate: rules, actions, selector, name, arch.
	Policy policy.Options
	// Check compiles the expressions before anything is written.
	Check bool
	// CRDs is a directory of CustomResourceDefinitions to type-check the
	// expressions against, with Check.
	CRDs string
	// linterConfig holds the registry, the configuration file and --arch,
	// as every command has them (linter.go).
	linterConfig

	version string
}

// NewCmdPolicy builds the policy command. runF replaces policyRun in tests.
func NewCmdPolicy(f *Factory, runF func(*PolicyOptions) error) *cobra.Command {
	opts := &PolicyOptions{IO: f.IOStreams, linterConfig: linterConfig{Registry: f.Registry}}
	var actions, selector string
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Write a ValidatingAdmissionPolicy that enforces the rules in a cluster",
		Long: `Write a ValidatingAdmissionPolicy and its binding for each KubeVirt kind
with health checks (VirtualMachine, VirtualMachineInstance, ReplicaSet and
pool), so that the API server itself enforces vmhealth's rules when such an
object is created or its VMI spec changed: whoever creates it, from a
console, a script or another team's pipeline, without running a webhook.
ValidatingAdmissionPolicy is generally available from Kubernetes 1.30.

The policies enforce every error-level rule that CEL can express (vmhealth
rules lists them under IN-CLUSTER), with lint's messages; the configuration
file's rule settings apply as they do to lint. A denied object is reported
with the rule ID, the field and its value:

  [liveness-success-threshold] spec.template.spec.livenessProbe.successThreshold:
  successThreshold is 2, but a liveness probe must have 1: …

The vmhealth.io/ignore annotation silences a rule for one object, as it does
for lint, unless --no-ignore-annotation is given. An update that leaves the
VMI spec unchanged is admitted, so controllers can keep managing objects
created before the policy.

--check compiles every expression locally with Kubernetes' CEL libraries (as
a 1.30 API server would) and writes the policies only when all compile; with
--crds it also type-checks them against the KubeVirt CRDs in a directory.
Exit status: 0 on success, 1 when an expression does not compile, 2 on a
usage error.`,
		Example: `  # Install the policies
  vmhealth policy | kubectl apply -f -

  # Try them first: admit everything, but return warnings to the client
  vmhealth policy --action Warn | kubectl apply -f -

  # Only some rules, only in labelled namespaces
  vmhealth policy --rules watchdog-action,probe-port-range --namespace-selector vmhealth=enforce

  # Check the expressions against the CRDs of a cluster before installing
  kubectl get crd -o yaml virtualmachines.kubevirt.io > crds/vm.yaml
  vmhealth policy --check --crds crds/ > policy.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.complete(cmd, actions, selector); err != nil {
				return err
			}
			opts.version = versionString(f)
			if runF != nil {
				return runF(opts)
			}
			return policyRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.Policy.Rules, flagRules, nil, "rule IDs to enforce (default: every error-level rule that CEL can express)")
	fl.StringVar(&actions, flagAction, "Deny", "what the API server does with an object that breaks a rule: Deny, Warn, Audit, or Warn,Audit")
	fl.StringVar(&selector, flagNamespaceSelector, "", "enforce only in namespaces matching this label selector (env=prod,team in (a,b))")
	fl.StringVar(&opts.Policy.Name, flagName, policy.DefaultName, "prefix of the names of the policies and bindings")
	fl.StringVar(&opts.Arch, flagArch, "amd64", "the cluster's default architecture, assumed for VMs that do not set one: "+strings.Join(architectures, ", "))
	fl.StringVarP(&opts.Output, flagOutput, "o", "yaml", "output format: yaml or json (a v1 List)")
	fl.BoolVar(&opts.Check, flagCheck, false, "compile every expression locally first; write nothing and exit 1 if one does not compile")
	fl.StringVar(&opts.CRDs, flagCRDs, "", "with --check, also type-check against the CustomResourceDefinitions in this directory (JSON or YAML)")
	fl.BoolVar(&opts.Policy.NoIgnoreAnnotation, flagNoIgnoreAnnotation, false, "enforce every rule even on objects whose vmhealth.io/ignore annotation lists it")
	addConfigFlags(cmd, &opts.linterConfig, "configuration file whose rule settings apply")
	_ = cmd.MarkFlagDirname(flagCRDs)
	_ = cmd.RegisterFlagCompletionFunc(flagRules, func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, r := range opts.Registry.Rules() {
			if r.InCluster() {
				out = append(out, cobra.CompletionWithDesc(r.ID, r.Summary))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc(flagAction, cobra.FixedCompletions([]string{"Deny", "Warn", "Audit", "Warn,Audit"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagArch, cobra.FixedCompletions(architectures, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagOutput, cobra.FixedCompletions([]string{"yaml", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// complete reads the configuration file and checks and parses the flags;
// flags override the file.
func (o *PolicyOptions) complete(cmd *cobra.Command, actions, selector string) error {
	if o.Output != "yaml" && o.Output != "json" {
		return invalidEnum(cmd, flagOutput, o.Output, []string{"yaml", "json"})
	}
	if err := o.completeLinter(cmd, flagArch); err != nil {
		return err
	}
	lo := o.linterOptions()
	o.Policy.Registry = o.Registry
	o.Policy.Architecture = lo.Architecture
	if o.Config != nil {
		o.Policy.Disabled = lo.Disabled
		o.Policy.SeverityOverrides = lo.SeverityOverrides
	}
	var err error
	if o.Policy.Actions, err = policy.ParseActions(actions); err != nil {
		return usageErrorf(cmd, "invalid --%s: %v", flagAction, err)
	}
	if selector != "" {
		if o.Policy.NamespaceSelector, err = metav1.ParseToLabelSelector(selector); err != nil {
			return usageErrorf(cmd, "invalid --%s: %v", flagNamespaceSelector, err)
		}
	}
	for _, id := range o.Policy.Rules {
		r, ok := o.Registry.Get(id)
		if !ok {
			return usageErrorf(cmd, "--%s: %s", flagRules, unknownRuleMessage(o.Registry, id))
		}
		if !r.InCluster() {
			return usageErrorf(cmd, "--%s: rule %s cannot be enforced in a cluster: %s", flagRules, id, noCELReason(r))
		}
	}
	if o.CRDs != "" && !o.Check {
		return usageErrorf(cmd, "--%s needs --%s", flagCRDs, flagCheck)
	}
	return nil
}

func noCELReason(r *validate.Rule) string {
	if r.CEL != nil && r.CEL.NoCEL != "" {
		return strings.TrimSuffix(r.CEL.NoCEL, ".")
	}
	return "it has no CEL form"
}

func policyRun(opts *PolicyOptions) error {
	set, err := policy.Generate(opts.Policy)
	if err != nil {
		return err
	}
	if opts.Check {
		if err := checkPolicy(opts, set); err != nil {
			return err
		}
	}
	if opts.Output == "json" {
		return set.WriteJSON(opts.IO.Out)
	}
	return set.WriteYAML(opts.IO.Out, policyHeader(opts, set))
}

// checkPolicy compiles, and with --crds type-checks, every expression and
// reports those that fail on stderr.
func checkPolicy(opts *PolicyOptions, set *policy.Set) error {
	errs := policy.Compile(set)
	typed := ""
	if opts.CRDs != "" {
		crds, err := policy.ReadCRDs(opts.CRDs)
		if err != nil {
			return fmt.Errorf("--%s: %w", flagCRDs, err)
		}
		terrs, err := policy.TypeCheck(set, crds)
		if err != nil {
			return fmt.Errorf("--%s %s: %w", flagCRDs, opts.CRDs, err)
		}
		errs = append(errs, terrs...)
		typed = " and type-checked against the CRDs in " + opts.CRDs
	}
	stderr := opts.IO.ErrOut
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintf(stderr, "vmhealth: %s\n", e.Error())
		}
		fmt.Fprintf(stderr, "vmhealth: %d expressions failed to compile; nothing written\n", len(errs))
		return errFindings
	}
	n := 0
	for _, p := range set.Policies {
		n += len(p.Policy.Spec.Variables) + len(p.Policy.Spec.MatchConditions) + len(p.Policy.Spec.Validations)
		for _, v := range p.Policy.Spec.Validations {
			if v.MessageExpression != "" {
				n++
			}
		}
	}
	fmt.Fprintf(stderr, "vmhealth: %d expressions of %d rules in %d policies compiled with the CEL of Kubernetes %s%s\n",
		n, len(set.Rules), len(set.Policies), policy.MinKubernetes, typed)
	return nil
}

// policyHeader is the comment at the top of the YAML output.
func policyHeader(opts *PolicyOptions, set *policy.Set) string {
	var actions []string
	for _, a := range opts.Policy.Actions {
		actions = append(actions, string(a))
	}
	if len(actions) == 0 {
		actions = []string{string(admissionregistrationv1.Deny)}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ValidatingAdmissionPolicies written by vmhealth %s (vmhealth policy).\n", opts.version)
	fmt.Fprintf(&b, "Install with kubectl apply -f, remove with kubectl delete -f.\n")
	fmt.Fprintf(&b, "Action %s when a VM, VMI, ReplicaSet or pool is created, or its VMI spec changed,\n", strings.Join(actions, ","))
	fmt.Fprintf(&b, "and it breaks one of these rules (vmhealth rules <id> explains each):\n")
	for _, r := range set.Rules {
		fmt.Fprintf(&b, "  %s\n", r.ID)
	}
	return b.String()
}
