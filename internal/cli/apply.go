package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/apply"
	"github.com/vmhealth/vmhealth/gen"
	"github.com/vmhealth/vmhealth/internal/kube"
	"github.com/vmhealth/vmhealth/validate"
)

// Flag names of apply (and of lint --cluster, which shares the selection
// flags), shared with the tests and docs.
const (
	flagVM             = "vm"
	flagKind           = "kind"
	flagSelector       = "selector"
	flagAllNamespaces  = "all-namespaces"
	flagFilename       = "filename"
	flagFrom           = "from"
	flagStrategy       = "strategy"
	flagForceConflicts = "force-conflicts"
	flagDryRun         = "dry-run"
	flagDiff           = "diff"
	flagForce          = "force"
	flagRestart        = "restart"
	flagFieldManager   = "field-manager"
	flagConcurrency    = "concurrency"
)

// errApplyFailed ends an apply run in which some object failed; the
// failures have been printed. It exits 1, like lint's findings.
var errApplyFailed = fmt.Errorf("some objects failed: %w", errFindings)

// Connector opens a connection to a cluster; tests replace it.
type Connector func(kube.Flags, kube.Options) (*kube.Clients, error)

// ApplyOptions hold the dependencies and flags of apply.
type ApplyOptions struct {
	IO *IOStreams
	// ColorAllowed is whether findings may be coloured.
	ColorAllowed bool
	// Connect opens the connection; nil means kube.Connect.
	Connect Connector
	// Version goes into the User-Agent.
	Version string

	Kube          kube.Flags
	AllNamespaces bool
	// VMs name the objects to change (of Kind): the arguments, as kubectl
	// takes names, and --vm. Selector selects them by label; Files hold
	// objects whose health checks go to the live objects of the same name
	// (-f, with directories expanded). Exactly one of the three is given.
	VMs       []string
	Selector  string
	Files     []string
	Filenames filenameOptions
	Kind      apply.Kind
	// From is a file (or - for standard input) holding the stanza.
	From string
	// genRequest is the stanza asked for with gen's flags (--readiness,
	// --watchdog, …), and genSetBy which flag set which field.
	genRequest *gen.Request
	genSetBy   map[string]string
	genFlags   bool
	// cmd is the command, for the usage hint of errors in what gen's
	// flags ask for.
	cmd *cobra.Command

	Strategy       apply.Strategy
	ForceConflicts bool
	DryRun         apply.DryRun
	Diff           bool
	Force          bool
	Restart        bool
	FieldManager   string
	Concurrency    int
	// linterConfig holds the registry, the configuration file, --arch and
	// --disable, as every command has them (linter.go).
	linterConfig
	// Verbose is -v: at verbosityRequests it logs each API request, at
	// verbosityBodies also the stanza sent; never credentials.
	Verbose int
}

// NewCmdApply builds the apply command. runF replaces applyRun in tests.
func NewCmdApply(f *Factory, runF func(context.Context, *ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{IO: f.IOStreams, linterConfig: linterConfig{Registry: f.Registry}, Version: versionString(f)}
	var kind, strategy, dryRun string
	var stanza *stanzaFlags
	cc := clusterCompleter{flags: &opts.Kube, connect: &opts.Connect}

	cmd := &cobra.Command{
		Use:   "apply (NAME... | -l SELECTOR | -f FILE [-R]) (--from FILE|- | gen's flags)",
		Short: "Add or change the health checks of VMs in a cluster",
		Long: `Apply readiness and liveness probes and a watchdog to VirtualMachines (or
ReplicaSets and pools) that already run in a cluster, changing nothing else.

The health checks come from the same flags as vmhealth gen (--readiness,
--liveness, --watchdog, the timing flags), or from --from: a stanza as
vmhealth gen writes it, or any VM manifest, whose spec.template.spec
readinessProbe, livenessProbe and domain.devices.watchdog are taken. With
-f, each object in the file gives its own health checks to the live object
of the same name; a directory given with -f is read one level deep unless
-R, as kubectl reads it.

Objects are named as kubectl names them: NAME, or TYPE/NAME (vm/web-1,
vmpool/web), in the namespace of -n or of the kubeconfig's context; --vm
NAME does the same. The names of one run are of one kind (--kind, vm by
default). With vmhealth completion loaded, TAB completes them (and -n and
--context) from the cluster those flags point at.

vmhealth reads each object, computes what it will look like, and lints that
with the rules of vmhealth lint: errors stop the change (--force writes
anyway), warnings are shown. It then writes with server-side apply as field
manager "vmhealth", sending only the health-check fields: fields that other
managers own are left alone, and changing one of them is a conflict unless
--force-conflicts. --strategy merge sends a JSON merge patch instead.

A running VM gets the new health checks only when it restarts: KubeVirt
marks it RestartRequired. vmhealth restarts nothing unless --restart.

Exit status: 0 when every object was applied or unchanged, 1 when any
failed, 2 on a usage error or when the cluster cannot be used at all.`,
		Example: `  # Add a readiness probe to one VM
  vmhealth apply web-1 -n prod --readiness http:1500/healthz --initial-delay 120 --period 20

  # The health checks of a file, to two VMs
  vmhealth apply web-1 web-2 -n prod --from readiness.yaml

  # Straight from vmhealth gen, to a pool
  vmhealth gen --readiness http:1500/healthz | vmhealth apply vmpool/web --from -

  # Every VM labelled app=web in all namespaces, showing the change first
  vmhealth apply -l app=web -A --from stanza.yaml --dry-run=server --diff

  # The health checks of each VM in a file, to the live VMs of the same name
  vmhealth apply -f vms.yaml

  # ... or in every file of a tree
  vmhealth apply -f manifests/ -R

  # Log each API request and the stanza sent, as kubectl -v=8 would
  vmhealth apply web-1 --from stanza.yaml -v=8`,
		// Names are the cluster's, not files': TAB lists them from the
		// cluster the flags point at (complete_cluster.go).
		ValidArgsFunction: opts.completeApplyNames(cc, &kind),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.genFlags = stanza.given(cmd)
			opts.cmd = cmd
			if err := opts.setTargets(cmd, args, &kind); err != nil {
				return err
			}
			if err := opts.complete(cmd, kind, strategy, dryRun); err != nil {
				return err
			}
			if opts.genFlags {
				var err error
				if opts.genRequest, opts.genSetBy, err = stanza.request(cmd, opts.Arch); err != nil {
					return err
				}
			}
			opts.ColorAllowed = f.ColorAllowed()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return applyRun(cmd.Context(), opts)
		},
	}

	fl := cmd.Flags()
	fl.StringSliceVar(&opts.VMs, flagVM, nil, "name of the object to change, as an argument is (repeat the flag or separate names with commas)")
	fl.StringVarP(&opts.Selector, flagSelector, "l", "", "change every object matching this label selector (app=web,tier!=db)")
	addFilenameFlags(cmd, &opts.Filenames, "file of VirtualMachines whose health checks go to the live objects of the same name, as kubectl's -f")
	fl.StringVar(&kind, flagKind, "vm", "kind that names and -l address: "+
		strings.Join(apply.WritableKinds[:len(apply.WritableKinds)-1], ", ")+" or "+apply.WritableKinds[len(apply.WritableKinds)-1])
	fl.BoolVarP(&opts.AllNamespaces, flagAllNamespaces, "A", false, "with -l, select in every namespace")
	fl.StringVar(&opts.From, flagFrom, "", "file holding the health checks to apply (a stanza or a VM manifest), - for standard input")
	fl.StringVar(&strategy, flagStrategy, string(apply.StrategyServerSide), "how to write: server-side (server-side apply, field manager vmhealth) or merge (JSON merge patch with a resourceVersion precondition)")
	fl.BoolVar(&opts.ForceConflicts, flagForceConflicts, false, "take over health-check fields that another field manager owns (server-side strategy)")
	fl.StringVar(&dryRun, flagDryRun, "none", "none, client (compute locally, send nothing) or server (the API server validates and admits, stores nothing)")
	fl.Lookup(flagDryRun).NoOptDefVal = string(apply.DryRunServer)
	fl.BoolVar(&opts.Diff, flagDiff, false, "show the health checks before and after the change")
	fl.BoolVar(&opts.Force, flagForce, false, "write even when lint finds errors in the result")
	fl.BoolVar(&opts.Restart, flagRestart, false, "restart running VMs whose health checks changed, through KubeVirt's restart subresource (as virtctl restart does)")
	fl.StringVar(&opts.FieldManager, flagFieldManager, apply.DefaultFieldManager, "field manager name to apply as")
	fl.IntVar(&opts.Concurrency, flagConcurrency, apply.DefaultWorkers, "how many objects to change at once")
	fl.StringVar(&opts.Arch, flagArch, "amd64", "architecture of VMs that do not set one, which decides the --watchdog model and lint's watchdog rules: "+strings.Join(architectures, ", "))
	fl.StringSliceVar(&opts.Disable, flagDisable, nil, "turn off a lint rule by ID when checking the result")
	addConfigFlags(cmd, &opts.linterConfig, "configuration file whose rule settings apply to the lint of the result")
	addVerbosityFlag(fl, &opts.Verbose)
	opts.Kube.AddFlags(fl)
	stanza = addStanzaFlags(fl)

	cmd.MarkFlagsMutuallyExclusive(flagVM, flagSelector, flagFilename)
	cmd.MarkFlagsMutuallyExclusive(flagFilename, flagFrom)
	_ = cmd.RegisterFlagCompletionFunc(flagKind, cobra.FixedCompletions(apply.WritableKinds, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagVM, opts.completeVMFlag(cc, &kind))
	cc.register(cmd)
	_ = cmd.RegisterFlagCompletionFunc(flagStrategy, cobra.FixedCompletions([]string{string(apply.StrategyServerSide), string(apply.StrategyMerge)}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagDryRun, cobra.FixedCompletions([]string{"none", "client", "server"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagArch, cobra.FixedCompletions(architectures, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// complete checks the flags and fills in the parsed values.
func (o *ApplyOptions) complete(cmd *cobra.Command, kind, strategy, dryRun string) error {
	k, err := apply.ParseKind(kind)
	if err != nil || !k.Writable {
		return invalidEnum(cmd, flagKind, kind, apply.WritableKinds)
	}
	o.Kind = k
	switch apply.Strategy(strategy) {
	case apply.StrategyServerSide, apply.StrategyMerge:
		o.Strategy = apply.Strategy(strategy)
	default:
		return invalidEnum(cmd, flagStrategy, strategy, []string{string(apply.StrategyServerSide), string(apply.StrategyMerge)})
	}
	switch dryRun {
	case "none", "":
		o.DryRun = apply.DryRunNone
	case "client", "server":
		o.DryRun = apply.DryRun(dryRun)
	default:
		return invalidEnum(cmd, flagDryRun, dryRun, []string{"none", "client", "server"})
	}
	if err := o.completeLinter(cmd, flagArch); err != nil {
		return err
	}
	switch {
	case len(o.VMs) == 0 && o.Selector == "" && len(o.Files) == 0:
		return usageErrorf(cmd, "nothing to apply to: give NAME, -l SELECTOR or -f FILE")
	case len(o.Files) == 0 && o.From == "" && !o.genFlags:
		return usageErrorf(cmd, "no health checks given: --%s, --%s, --%s or --%s FILE (- for standard input)", genFlagReadiness, genFlagLiveness, genFlagWatchdog, flagFrom)
	case o.genFlags && (o.From != "" || len(o.Files) > 0):
		return usageErrorf(cmd, "the probe and watchdog flags cannot be used with --%s or -f, which give the health checks already", flagFrom)
	case o.AllNamespaces && o.Selector == "":
		return usageErrorf(cmd, "--%s needs -l SELECTOR", flagAllNamespaces)
	case o.AllNamespaces && cmd.Flags().Changed(kube.FlagNamespace):
		return usageErrorf(cmd, "--%s and --%s cannot be used together", flagAllNamespaces, kube.FlagNamespace)
	case o.ForceConflicts && o.Strategy != apply.StrategyServerSide:
		return usageErrorf(cmd, "--%s needs --%s server-side (a merge patch does not know field owners)", flagForceConflicts, flagStrategy)
	case o.Restart && o.DryRun != apply.DryRunNone:
		return usageErrorf(cmd, "--%s cannot be used with --%s", flagRestart, flagDryRun)
	case o.Concurrency < 1:
		return usageErrorf(cmd, "--%s must be at least 1", flagConcurrency)
	case cmd.Flags().Changed(flagKind) && len(o.Files) > 0:
		return usageErrorf(cmd, "--%s does not apply to -f: each object in the file has its kind", flagKind)
	}
	for _, n := range o.VMs {
		if n == "" {
			return usageErrorf(cmd, "empty name")
		}
	}
	stdin := 0
	for _, p := range append(slices.Clone(o.Files), o.From) {
		if p == validate.StdinName {
			stdin++
		}
	}
	if stdin > 1 {
		return usageErrorf(cmd, "- (standard input) given %d times; it can be read only once", stdin)
	}
	return nil
}

func (o *ApplyOptions) readFile(name string) ([]byte, error) {
	return validate.ReadInput(name, o.IO.In)
}

func applyRun(ctx context.Context, opts *ApplyOptions) (err error) {
	stderr := opts.IO.ErrOut
	defer func() { err = runError(stderr, err) }()
	linter, err := opts.newLinter(nil)
	if err != nil {
		return err
	}

	// Read everything local first: a typo in a file name should not wait
	// for a cluster.
	var stanza *apply.Stanza
	var sources []apply.Source
	if opts.genRequest != nil {
		var err error
		if stanza, err = buildStanza(opts, linter); err != nil {
			return err
		}
	}
	if opts.From != "" {
		data, err := opts.readFile(opts.From)
		if err != nil {
			return err
		}
		if stanza, err = apply.ReadStanza(linter, displayName(opts.From), data); err != nil {
			return fmt.Errorf("--%s: %w", flagFrom, err)
		}
	}
	for _, name := range opts.Files {
		data, err := opts.readFile(name)
		if err != nil {
			return err
		}
		srcs, err := apply.ReadSources(linter, displayName(name), data)
		if err != nil {
			return err
		}
		sources = append(sources, srcs...)
	}

	cl, err := connect(opts.Connect, opts.Kube, opts.Version, opts.Verbose, stderr)
	if err != nil {
		return err
	}
	red := cl.Redactor
	c := apply.Clients{Dynamic: cl.Dynamic, Mapper: cl.Mapper, Explain: cl.Explain}
	if cl.Discovery != nil {
		c.REST = cl.Discovery.RESTClient()
	}

	targets, err := opts.targets(ctx, c, cl, stanza, sources)
	if err != nil {
		return red.Error(err)
	}
	if len(targets) == 0 {
		where := "namespace " + cl.Namespace
		if opts.AllNamespaces {
			where = "any namespace"
		}
		fmt.Fprintf(stderr, "vmhealth: no %s matches %q in %s\n", opts.Kind.Resource, opts.Selector, where)
		return errSilent
	}
	if opts.Verbose >= verbosityBodies {
		for _, t := range targets {
			fmt.Fprintf(stderr, "vmhealth: %s: stanza %s\n", t, stanzaJSON(t.Stanza))
		}
	}

	a, err := apply.New(c, apply.Options{
		FieldManager: opts.FieldManager, Strategy: opts.Strategy, ForceConflicts: opts.ForceConflicts,
		DryRun: opts.DryRun, Linter: linter, Force: opts.Force, Workers: opts.Concurrency, Restart: opts.Restart,
	})
	if err != nil {
		return err
	}
	results := a.ApplyAll(ctx, targets, nil)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return reportApply(opts, red, results)
}

// targets resolves what to change: named objects, a selection, or the
// objects of the -f files.
func (o *ApplyOptions) targets(ctx context.Context, c apply.Clients, cl *kube.Clients, stanza *apply.Stanza, sources []apply.Source) ([]apply.Target, error) {
	switch {
	case len(o.VMs) > 0:
		var ts []apply.Target
		for _, name := range o.VMs {
			ts = append(ts, apply.Target{Kind: o.Kind, Namespace: cl.Namespace, Name: name, Stanza: stanza})
		}
		// Fail once, clearly, when KubeVirt is missing or the cluster
		// cannot be reached, rather than once a VM.
		return ts, apply.Served(c, o.Kind)
	case o.Selector != "":
		ns := cl.Namespace
		if o.AllNamespaces {
			ns = ""
		}
		return apply.Select(ctx, c, o.Kind, apply.ListOptions{Namespace: ns, Selector: o.Selector}, stanza)
	}
	var ts []apply.Target
	for _, s := range sources {
		switch {
		case s.Kind.Kind == "":
			return nil, fmt.Errorf("%s: a stanza without kind and name cannot go with -f; use --vm NAME --from FILE", s.Where)
		case !s.Kind.Writable:
			return nil, fmt.Errorf("%s: %s %s cannot be changed in place; apply to the VirtualMachine that creates it", s.Where, s.Ref.Kind, s.Ref.Name)
		case s.Ref.Name == "":
			return nil, fmt.Errorf("%s: %s has no metadata.name", s.Where, s.Ref.Kind)
		case s.Stanza.Empty():
			return nil, fmt.Errorf("%s: %s %s has no readinessProbe, livenessProbe or watchdog", s.Where, s.Ref.Kind, s.Ref.Name)
		}
		ns := s.Ref.Namespace
		switch {
		case ns == "":
			ns = cl.Namespace
		case cl.NamespaceExplicit && ns != cl.Namespace:
			return nil, fmt.Errorf("%s: %s %s is in namespace %q, not %q as --namespace says", s.Where, s.Ref.Kind, s.Ref.Name, ns, cl.Namespace)
		}
		ts = append(ts, apply.Target{Kind: s.Kind, Namespace: ns, Name: s.Ref.Name, Stanza: s.Stanza})
	}
	for _, k := range []apply.Kind{apply.VirtualMachine, apply.VirtualMachineInstanceReplicaSet, apply.VirtualMachinePool} {
		if slices.ContainsFunc(ts, func(t apply.Target) bool { return t.Kind.GroupKind == k.GroupKind }) {
			if err := apply.Served(c, k); err != nil {
				return nil, err
			}
		}
	}
	return ts, nil
}

// runError prints an error of the run itself (the cluster is unreachable,
// KubeVirt is missing), redacted, and turns it into errSilent: Main would
// otherwise add a pointer to --help, which cannot help.
func runError(stderr io.Writer, err error) error {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errFindings), errors.Is(err, errSilent), errors.As(err, &ue),
		errors.Is(err, context.Canceled):
		return err
	}
	fmt.Fprintf(stderr, "vmhealth: %s\n", kube.NewRedactor(nil).Redact(err.Error()))
	return errSilent
}

// connect opens the connection and, with -v, says where it goes.
func connect(fn Connector, flags kube.Flags, version string, verbose int, stderr io.Writer) (*kube.Clients, error) {
	if fn == nil {
		fn = kube.Connect
	}
	ko := kube.Options{UserAgent: "vmhealth/" + version, Warnings: stderr}
	if verbose >= verbosityRequests {
		ko.Log = stderr
	}
	cl, err := fn(flags, ko)
	if err != nil {
		return nil, err
	}
	if verbose >= verbosityRequests {
		fmt.Fprintf(stderr, "vmhealth: using %s, namespace %s\n", cl.Redactor.Redact(cl.Describe), cl.Namespace)
	}
	return cl, nil
}

func displayName(name string) string {
	if name == validate.StdinName {
		return "<stdin>"
	}
	return name
}

// errorReason is the short reason a failed object gets in the table.
func errorReason(err error) string {
	var (
		nf *apply.NotFoundError
		le *apply.LintError
		ce *apply.ConflictError
	)
	switch {
	case errors.As(err, &nf):
		return "not found"
	case errors.As(err, &le):
		return "lint errors"
	case errors.As(err, &ce):
		return "conflict with " + strings.Join(ce.Managers(), ", ")
	case errors.Is(err, kube.ErrForbidden):
		return "forbidden"
	case errors.Is(err, kube.ErrRejected):
		return "rejected by the API server"
	case errors.Is(err, kube.ErrUnreachable):
		return "API server unreachable"
	case errors.Is(err, kube.ErrTimeout):
		return "timeout"
	case errors.Is(err, kube.ErrUnauthorized):
		return "unauthorized"
	}
	return "error"
}

// errorHint says what to do about a failure, when vmhealth knows.
func errorHint(err error) string {
	var (
		le *apply.LintError
		ce *apply.ConflictError
	)
	switch {
	case errors.As(err, &le):
		return "fix the health checks, or run again with --force to write them anyway"
	case errors.As(err, &ce):
		return "leave these fields out of the stanza, or run again with --force-conflicts to take them over"
	}
	return ""
}
