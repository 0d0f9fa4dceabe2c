package cli

// Shell completion of what lives in a cluster, as kubectl completes it:
// apply's names (NAME, TYPE/NAME and --vm), -n/--namespace and --context.
// The cluster is the one the flags typed so far point at (--kubeconfig,
// --context, -n); a TAB must never hang or print an error into the
// command line, so every request is bounded by completionTimeout and any
// failure gives no completions, and no file names either.

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/vmhealth/vmhealth/apply"
	"github.com/vmhealth/vmhealth/internal/kube"
	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
)

// completionTimeout bounds one completion's wait for the cluster, unless
// --request-timeout is given on the command line being completed. A
// cluster that answers at all lists names in well under a second; one
// that does not should cost the user a moment, not kube.DefaultTimeout.
const completionTimeout = 5 * time.Second

// noFiles is the directive of every cluster completion: what is
// completed are the cluster's names, never the working directory's files.
const noFiles = cobra.ShellCompDirectiveNoFileComp

// clusterCompleter completes from the cluster that flags point at once
// the command line has been parsed; connect is nil for kube.Connect.
type clusterCompleter struct {
	flags   *kube.Flags
	connect *Connector
}

// clients connects as the command line says so far and returns the
// context that bounds the completion. ok is false when there is no
// configuration to connect with.
func (c clusterCompleter) clients(cmd *cobra.Command) (ctx context.Context, cancel context.CancelFunc, cl *kube.Clients, ok bool) {
	flags := *c.flags
	if !cmd.Flags().Changed(kube.FlagTimeout) || flags.Timeout <= 0 {
		flags.Timeout = completionTimeout
	}
	connect := kube.Connect
	if c.connect != nil && *c.connect != nil {
		connect = *c.connect
	}
	// No Warnings writer: a deprecation warning on stderr would land in
	// the middle of the user's command line in some shells.
	cl, err := connect(flags, kube.Options{UserAgent: "vmhealth/completion"})
	if err != nil || cl.Metadata == nil {
		return nil, nil, nil, false
	}
	parent := cmd.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel = context.WithTimeout(parent, flags.Timeout)
	return ctx, cancel, cl, true
}

// names lists the names of the objects of kind k in the namespace the
// command line chooses (-n, else the context's, else default). It asks
// for metadata only, and tries the versions of the kinds table in order,
// so that no discovery round trip is needed: a version the cluster does
// not serve answers 404 and the next is tried.
func (c clusterCompleter) names(cmd *cobra.Command, k *kubevirtkinds.Kind) []string {
	ctx, cancel, cl, ok := c.clients(cmd)
	if !ok {
		return nil
	}
	defer cancel()
	for _, v := range k.Versions {
		gvr := schema.GroupVersionResource{Group: k.Group, Version: v.Name, Resource: k.Resource}
		list, err := cl.Metadata.Resource(gvr).Namespace(cl.Namespace).List(ctx, metav1.ListOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil
		}
		out := make([]string, 0, len(list.Items))
		for _, item := range list.Items {
			out = append(out, item.Name)
		}
		return out
	}
	return nil
}

// completeNamespace completes -n/--namespace with the cluster's
// namespaces, as kubectl does.
func (c clusterCompleter) completeNamespace(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	ctx, cancel, cl, ok := c.clients(cmd)
	if !ok {
		return nil, noFiles
	}
	defer cancel()
	list, err := cl.Metadata.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, noFiles
	}
	var out []cobra.Completion
	for _, item := range list.Items {
		if strings.HasPrefix(item.Name, toComplete) {
			out = append(out, item.Name)
		}
	}
	return out, noFiles
}

// completeContext completes --context with the kubeconfig's contexts;
// it reads the file only and asks no cluster.
func (c clusterCompleter) completeContext(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names, err := kube.Contexts(*c.flags)
	if err != nil {
		return nil, noFiles
	}
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, toComplete) {
			out = append(out, n)
		}
	}
	return out, noFiles
}

// register completes the connection flags of cmd: -n and --context.
func (c clusterCompleter) register(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc(kube.FlagNamespace, c.completeNamespace)
	_ = cmd.RegisterFlagCompletionFunc(kube.FlagContext, c.completeContext)
}

// completeApplyNames completes apply's arguments as kubectl completes
// names: the names of --kind's objects (vm by default), or, once TYPE/ is
// typed, TYPE/NAME of that type. After a TYPE/NAME the names that follow
// are of its kind, as apply takes them. Names already given are not
// offered again, and with -l or -f, which choose the objects already,
// nothing is.
func (o *ApplyOptions) completeApplyNames(c clusterCompleter, kind *string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if o.Selector != "" || len(o.Filenames.Filenames) > 0 {
			return nil, noFiles
		}
		typ, given := *kind, o.givenNames(args)
		for _, a := range args {
			if t, _, ok := strings.Cut(a, "/"); ok && !cmd.Flags().Changed(flagKind) {
				typ = t
			}
		}
		prefix := ""
		if t, name, ok := strings.Cut(toComplete, "/"); ok {
			typ, prefix, toComplete = t, t+"/", name
		}
		return o.completeNamesOf(c, cmd, typ, given, prefix, toComplete)
	}
}

// completeVMFlag completes --vm, whose value is a comma-separated list:
// the names after the last comma, keeping what comes before it.
func (o *ApplyOptions) completeVMFlag(c clusterCompleter, kind *string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		given := o.givenNames(args)
		prefix := ""
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			prefix, toComplete = toComplete[:i+1], toComplete[i+1:]
			for _, n := range strings.Split(prefix, ",") {
				given[n] = true
			}
		}
		return o.completeNamesOf(c, cmd, *kind, given, prefix, toComplete)
	}
}

// givenNames are the names the command line has already: the arguments
// (without their TYPE/) and --vm's.
func (o *ApplyOptions) givenNames(args []string) map[string]bool {
	given := map[string]bool{}
	for _, a := range slices.Concat(args, o.VMs) {
		if _, n, ok := strings.Cut(a, "/"); ok {
			a = n
		}
		given[a] = true
	}
	return given
}

// completeNamesOf lists the objects of the kind typ names and offers those
// that start with toComplete and are not given, each after prefix.
func (o *ApplyOptions) completeNamesOf(c clusterCompleter, cmd *cobra.Command, typ string, given map[string]bool, prefix, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	k, err := apply.ParseKind(typ)
	if err != nil || !k.Writable {
		return nil, noFiles
	}
	var out []cobra.Completion
	for _, n := range c.names(cmd, kubevirtkinds.ByKind(k.Kind)) {
		if !given[n] && strings.HasPrefix(n, toComplete) {
			out = append(out, prefix+n)
		}
	}
	return out, noFiles
}
