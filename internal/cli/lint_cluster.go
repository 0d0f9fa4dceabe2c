package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/vmhealth/vmhealth/apply"
	"github.com/vmhealth/vmhealth/internal/kube"
	"github.com/vmhealth/vmhealth/validate"
)

const flagCluster = "cluster"

// ClusterLintOptions are lint's flags for linting what a cluster runs
// instead of files.
type ClusterLintOptions struct {
	// Enabled is --cluster.
	Enabled       bool
	Kube          kube.Flags
	AllNamespaces bool
	Selector      string
	// Connect opens the connection; nil means kube.Connect.
	Connect Connector
	Version string
	// Verbosity is -v, as apply's.
	Verbosity int
}

// clusterKinds are listed in this order, owners before what they own, so
// that objects a controller made from a template already linted can be
// recognised.
var clusterKinds = []apply.Kind{apply.VirtualMachinePool, apply.VirtualMachineInstanceReplicaSet, apply.VirtualMachine, apply.VirtualMachineInstance}

// addClusterLintFlags adds --cluster and the flags that choose the objects.
func addClusterLintFlags(cmd *cobra.Command, o *ClusterLintOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&o.Enabled, flagCluster, false, "lint the VMs, VMIs, ReplicaSets and pools in the cluster instead of files")
	fl.BoolVarP(&o.AllNamespaces, flagAllNamespaces, "A", false, "with --cluster, lint every namespace")
	fl.StringVarP(&o.Selector, flagSelector, "l", "", "with --cluster, lint only objects matching this label selector")
	o.Kube.AddFlags(fl)
	addVerbosityFlag(fl, &o.Verbosity)
	clusterCompleter{flags: &o.Kube, connect: &o.Connect}.register(cmd)
}

// setLintTarget decides what lint reads: the cluster with --cluster, else
// files or standard input.
func setLintTarget(cmd *cobra.Command, opts *LintOptions, args []string) error {
	c := &opts.Cluster
	if !c.Enabled {
		for _, name := range []string{flagAllNamespaces, flagSelector, kube.FlagKubeconfig, kube.FlagContext, kube.FlagTimeout} {
			if cmd.Flags().Changed(name) {
				return usageErrorf(cmd, "--%s needs --%s", name, flagCluster)
			}
		}
		return setInputs(cmd, opts, args)
	}
	switch {
	case len(args) > 0 || len(opts.Filenames.Filenames) > 0:
		return usageErrorf(cmd, "--%s lints the cluster: give no paths (%s)", flagCluster, strings.Join(opts.Filenames.paths(args), " "))
	case c.AllNamespaces && cmd.Flags().Changed(kube.FlagNamespace):
		return usageErrorf(cmd, "--%s and --%s cannot be used together", flagAllNamespaces, kube.FlagNamespace)
	}
	return nil
}

// runLint runs lint on files or on the cluster.
func runLint(ctx context.Context, opts *LintOptions) error {
	if opts.Cluster.Enabled {
		return lintClusterRun(ctx, opts)
	}
	if opts.Fix {
		return fixRun(ctx, opts)
	}
	return lintRun(ctx, opts)
}

func lintClusterRun(ctx context.Context, opts *LintOptions) (err error) {
	stdout, stderr := opts.IO.Out, opts.IO.ErrOut
	defer func() { err = runError(stderr, err) }()
	out, ci, linter, err := opts.start(stdout, stderr)
	if err != nil {
		return err
	}

	cl, err := connect(opts.Cluster.Connect, opts.Cluster.Kube, opts.Cluster.Version, opts.Cluster.Verbosity, stderr)
	if err != nil {
		return err
	}
	c := apply.Clients{Dynamic: cl.Dynamic, Mapper: cl.Mapper, Explain: cl.Explain}
	lo := apply.ListOptions{Namespace: cl.Namespace, Selector: opts.Cluster.Selector}
	if opts.Cluster.AllNamespaces {
		lo.Namespace = ""
	}

	sum := &validate.Summary{Skipped: map[string]int{}, Findings: map[string]int{}}
	// Health checks of each object linted, by kind/namespace/name, so that
	// a VMI (or a pool's VM) that only repeats its owner's template is not
	// reported twice. One that differs (a VM not yet restarted) is linted:
	// it shows what actually runs.
	templates := map[string]map[string]any{}
	for _, k := range clusterKinds {
		err := apply.List(ctx, c, k, lo, func(u *unstructured.Unstructured) error {
			sum.Documents++
			hc := apply.HealthChecks(mapAt(u.Object, k.SpecPath))
			templates[k.Kind+"/"+u.GetNamespace()+"/"+u.GetName()] = hc
			if repeatsOwner(u, hc, templates) {
				return nil
			}
			obj := u.DeepCopy()
			obj.SetManagedFields(nil)
			fs, err := linter.LintObject(obj.Object)
			if err != nil {
				return fmt.Errorf("linting %s %s/%s: %w", k.Kind, u.GetNamespace(), u.GetName(), err)
			}
			sum.Objects++
			for _, f := range fs {
				// Counted as the linter counts files' findings; adjust
				// then moves what the baseline accepts.
				if f.Suppressed != nil {
					sum.Suppressed++
				} else {
					sum.Findings[f.Severity.String()]++
				}
				if !ci.keep(&f) {
					continue
				}
				if opts.Quiet && (f.Suppressed != nil || f.Severity < opts.FailOn) {
					continue
				}
				if err := out.Write(f); err != nil {
					return fmt.Errorf("writing output: %w", err)
				}
			}
			return nil
		})
		var ni *apply.NotInstalledError
		switch {
		case errors.As(err, &ni) && k.GroupKind != apply.VirtualMachine.GroupKind:
			// Pools are a separate API that a KubeVirt install may lack.
			continue
		case err != nil:
			return cl.Redactor.Error(err)
		}
	}
	ci.adjust(sum)
	if err := out.Flush(sum); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if err := ci.finish(stderr); err != nil {
		return err
	}
	if sum.Count(opts.FailOn) > 0 {
		return errFindings
	}
	return nil
}

// repeatsOwner reports whether an object made by a controller (its
// controller owner reference names an object already listed) has the same
// health checks as its owner's template.
func repeatsOwner(u *unstructured.Unstructured, hc map[string]any, templates map[string]map[string]any) bool {
	for _, ref := range u.GetOwnerReferences() {
		if ref.Controller == nil || !*ref.Controller {
			continue
		}
		owner, ok := templates[ref.Kind+"/"+u.GetNamespace()+"/"+ref.Name]
		return ok && jsonEq(owner, hc)
	}
	return false
}

// mapAt returns the map at path in obj, or nil.
func mapAt(obj map[string]any, path []string) map[string]any {
	v, ok, err := unstructured.NestedMap(obj, path...)
	if !ok || err != nil {
		return nil
	}
	return v
}
