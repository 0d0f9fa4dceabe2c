package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
	"github.com/vmhealth/vmhealth/validate"
)

// DefaultFieldManager is the field manager vmhealth applies as.
const DefaultFieldManager = "vmhealth"

// DefaultWorkers is how many objects are applied at once.
const DefaultWorkers = 8

// maxAttempts bounds the retries when the object changes between the read
// and the write.
const maxAttempts = 3

// Strategy is how the change is written.
type Strategy string

const (
	// StrategyServerSide uses server-side apply: vmhealth owns the fields it
	// sends and the API server refuses to change fields that other
	// managers own (a conflict) unless forced.
	StrategyServerSide Strategy = "server-side"
	// StrategyMerge sends a JSON merge patch with a resourceVersion
	// precondition. Each probe and the watchdog of the stanza replace the
	// live ones whole; ownership is not checked.
	StrategyMerge Strategy = "merge"
)

// Strategies lists the strategies, for flags and help.
var Strategies = []Strategy{StrategyServerSide, StrategyMerge}

// DryRun says whether, and where, a change is only tried.
type DryRun string

const (
	// DryRunNone writes.
	DryRunNone DryRun = ""
	// DryRunClient reads the live objects and computes the result locally;
	// nothing is sent for writing.
	DryRunClient DryRun = "client"
	// DryRunServer sends the change with dryRun=All: the API server runs
	// validation and admission and stores nothing.
	DryRunServer DryRun = "server"
)

// Clients are what an Applier talks to.
type Clients struct {
	Dynamic dynamic.Interface
	// Mapper finds the resource and preferred version of each kind.
	Mapper meta.RESTMapper
	// REST makes the requests the dynamic client cannot (the restart
	// subresource); nil disables Options.Restart.
	REST rest.Interface
	// Explain, when set, rewrites API and network errors for people:
	// verb and resource say what was tried ("patch",
	// "virtualmachines.kubevirt.io").
	Explain func(err error, verb, resource string) error
}

// Options configure an Applier.
type Options struct {
	// FieldManager names vmhealth in managedFields; empty means
	// DefaultFieldManager.
	FieldManager string
	// Strategy is StrategyServerSide (the default when empty) or
	// StrategyMerge.
	Strategy Strategy
	// ForceConflicts takes over fields other managers own (server-side
	// apply only).
	ForceConflicts bool
	DryRun         DryRun
	// Linter lints each object as it would be after the change; nil means
	// validate.New with the default options.
	Linter *validate.Linter
	// Force writes even when lint finds errors.
	Force bool
	// Workers is how many objects are applied at once; 0 means
	// DefaultWorkers.
	Workers int
	// Restart restarts running VirtualMachines whose health checks changed,
	// through KubeVirt's restart subresource.
	Restart bool
}

// Target is one object to change.
type Target struct {
	Kind      Kind
	Namespace string
	Name      string
	// Stanza is what to apply to it.
	Stanza *Stanza
}

// String names the target as Kind namespace/name.
func (t Target) String() string {
	if t.Namespace == "" {
		return t.Kind.Kind + " " + t.Name
	}
	return t.Kind.Kind + " " + t.Namespace + "/" + t.Name
}

// Status is the outcome for one object.
type Status string

const (
	// StatusApplied means the health checks changed (or, in a dry run,
	// would change).
	StatusApplied Status = "applied"
	// StatusUnchanged means they already were what the stanza says.
	StatusUnchanged Status = "unchanged"
	// StatusFailed means nothing was written; Err says why.
	StatusFailed Status = "failed"
)

// Result is what happened to one target.
type Result struct {
	Target
	Status Status
	DryRun DryRun
	// Before and After are the health checks as VMI spec fragments
	// ({readinessProbe: …, domain: {devices: {watchdog: …}}}) of the live
	// object and of the object after the change (as it would be, in a dry
	// run). Nil when the object could not be read.
	Before, After map[string]any
	// SpecPath is where the VMI spec sits in the object.
	SpecPath []string
	// Findings are lint's findings about the object after the change.
	Findings []validate.Finding
	// ResourceVersion is the object's resourceVersion after the change.
	ResourceVersion string
	// RestartRequired is set for a running VirtualMachine whose health
	// checks changed: the guest gets them only when the VM restarts.
	RestartRequired bool
	// NewInstancesOnly is set for a ReplicaSet or pool whose health checks
	// changed: VMIs that already run keep the old ones.
	NewInstancesOnly bool
	// Restarted reports a restart requested through the subresource;
	// RestartErr, one that failed (the change itself was written).
	Restarted  bool
	RestartErr error
	Err        error
}

// Applier writes health checks to live objects.
type Applier struct {
	c    Clients
	opts Options
}

// New returns an Applier.
func New(c Clients, opts Options) (*Applier, error) {
	if c.Dynamic == nil || c.Mapper == nil {
		return nil, errors.New("apply: a dynamic client and a REST mapper are required")
	}
	if opts.FieldManager == "" {
		opts.FieldManager = DefaultFieldManager
	}
	switch opts.Strategy {
	case "":
		opts.Strategy = StrategyServerSide
	case StrategyServerSide, StrategyMerge:
	default:
		return nil, fmt.Errorf("apply: unknown strategy %q", opts.Strategy)
	}
	switch opts.DryRun {
	case DryRunNone, DryRunClient, DryRunServer:
	default:
		return nil, fmt.Errorf("apply: unknown dry-run mode %q", opts.DryRun)
	}
	if opts.ForceConflicts && opts.Strategy != StrategyServerSide {
		return nil, errors.New("apply: force-conflicts needs the server-side strategy")
	}
	if opts.Linter == nil {
		opts.Linter = validate.MustNew(validate.Options{}) // the defaults are always valid
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	return &Applier{c: c, opts: opts}, nil
}

// ApplyAll applies to every target, Workers at a time, calls done (when
// not nil) as each finishes, and returns the results in the targets' order.
func (a *Applier) ApplyAll(ctx context.Context, targets []Target, done func(Result)) []Result {
	results := make([]Result, len(targets))
	idx := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range min(a.opts.Workers, len(targets)) {
		wg.Go(func() {
			for i := range idx {
				results[i] = a.Apply(ctx, targets[i])
				if done != nil {
					mu.Lock()
					done(results[i])
					mu.Unlock()
				}
			}
		})
	}
	for i := range targets {
		idx <- i
	}
	close(idx)
	wg.Wait()
	return results
}

// Apply applies one target's stanza to its live object.
func (a *Applier) Apply(ctx context.Context, t Target) Result {
	res := Result{Target: t, DryRun: a.opts.DryRun, SpecPath: t.Kind.SpecPath}
	if t.Stanza.Empty() {
		return res.fail(errors.New("nothing to apply: no readinessProbe, livenessProbe or watchdog given"))
	}
	if !t.Kind.Writable {
		return res.fail(fmt.Errorf("%s cannot be changed in place; apply to the VirtualMachine, ReplicaSet or pool that creates it", t))
	}
	m, err := mapping(a.c.Mapper, t.Kind)
	if err != nil {
		return res.fail(a.explain(err, "list", t.Kind))
	}
	ri := a.c.Dynamic.Resource(m.Resource).Namespace(t.Namespace)
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return res.fail(err)
		}
		live, err := ri.Get(ctx, t.Name, metav1.GetOptions{})
		if err != nil {
			if apierrors.IsNotFound(err) {
				return res.fail(&NotFoundError{Target: t})
			}
			return res.fail(a.explain(err, "get", t.Kind))
		}
		r, retry := a.applyTo(ctx, res, ri, m, live)
		switch {
		case !retry:
			return r
		case attempt == maxAttempts:
			return r.fail(fmt.Errorf("%s kept changing while vmhealth wrote to it (%d attempts): %w", t, attempt, r.Err))
		}
	}
}

// applyTo does the work for one read of the live object. It asks for a
// retry when the object changed before the write.
func (a *Applier) applyTo(ctx context.Context, res Result, ri dynamic.ResourceInterface, m *meta.RESTMapping, live *unstructured.Unstructured) (Result, bool) {
	t := res.Target
	liveSpec := mapAt(live.Object, t.Kind.SpecPath)
	if liveSpec == nil {
		return res.fail(fmt.Errorf("%s has no %s", t, strings.Join(t.Kind.SpecPath, "."))), false
	}
	res.Before = HealthChecks(liveSpec)
	own := ownershipOf(live, a.opts.FieldManager)

	// The object as it will be, computed here so that lint sees it before
	// anything is sent.
	var body []byte
	var sent map[string]any
	after := live.DeepCopy()
	switch a.opts.Strategy {
	case StrategyServerSide:
		sent = appliedSpec(liveSpec, t.Stanza, own.mine.at(t.Kind.SpecPath))
		yamlpos.SetValue(after.Object, t.Kind.SpecPath, ssaMerge(liveSpec, sent, own.mine.at(t.Kind.SpecPath), own.othersAt(t.Kind.SpecPath)))
	case StrategyMerge:
		if p := mergePatchSpec(liveSpec, t.Stanza); p != nil {
			yamlpos.SetValue(after.Object, t.Kind.SpecPath, applyMergePatch(liveSpec, p))
			sent = p
		}
	}
	res.After = HealthChecks(mapAt(after.Object, t.Kind.SpecPath))
	changed := !jsonEqual(res.Before, res.After)

	res.Findings = a.lint(after)
	if n := countErrors(res.Findings); n > 0 && !a.opts.Force {
		return res.fail(&LintError{Errors: n}), false
	}
	if a.opts.Strategy == StrategyServerSide && a.opts.DryRun == DryRunClient && !a.opts.ForceConflicts {
		if cs := localConflicts(liveSpec, sent, own, t.Kind.SpecPath); len(cs) > 0 {
			return res.fail(&ConflictError{Conflicts: cs}), false
		}
	}
	if a.opts.DryRun == DryRunClient || (a.opts.Strategy == StrategyMerge && sent == nil) {
		res.ResourceVersion = live.GetResourceVersion()
		return res.done(changed), false
	}

	var dryRun []string
	if a.opts.DryRun == DryRunServer {
		dryRun = []string{metav1.DryRunAll}
	}
	var out *unstructured.Unstructured
	var err error
	switch a.opts.Strategy {
	case StrategyServerSide:
		cfg := &unstructured.Unstructured{Object: map[string]any{}}
		cfg.SetAPIVersion(m.GroupVersionKind.GroupVersion().String())
		cfg.SetKind(m.GroupVersionKind.Kind)
		cfg.SetName(t.Name)
		cfg.SetNamespace(t.Namespace)
		// What lint judged is what gets written: a precondition, not a
		// field vmhealth takes ownership of.
		cfg.SetResourceVersion(live.GetResourceVersion())
		yamlpos.SetValue(cfg.Object, t.Kind.SpecPath, sent)
		out, err = ri.Apply(ctx, t.Name, cfg, metav1.ApplyOptions{
			FieldManager: a.opts.FieldManager, Force: a.opts.ForceConflicts, DryRun: dryRun,
		})
	case StrategyMerge:
		patch := map[string]any{"metadata": map[string]any{"resourceVersion": live.GetResourceVersion()}}
		yamlpos.SetValue(patch, t.Kind.SpecPath, sent)
		if body, err = jsonMarshal(patch); err == nil {
			out, err = ri.Patch(ctx, t.Name, types.MergePatchType, body, metav1.PatchOptions{
				FieldManager: a.opts.FieldManager, DryRun: dryRun, FieldValidation: "Strict",
			})
		}
	}
	if err != nil {
		if cs := serverConflicts(err); cs != nil {
			return res.fail(&ConflictError{Conflicts: cs, Err: err}), false
		}
		if apierrors.IsConflict(err) && a.opts.DryRun == DryRunNone {
			// Changed since it was read: read, lint and try again.
			res.Err = err
			return res, true
		}
		return res.fail(a.explain(err, "patch", t.Kind)), false
	}
	res.Err = nil
	res.After = HealthChecks(mapAt(out.Object, t.Kind.SpecPath))
	res.ResourceVersion = out.GetResourceVersion()
	res = res.done(!jsonEqual(res.Before, res.After))
	if res.Status == StatusApplied && a.opts.DryRun == DryRunNone {
		switch {
		case t.Kind.Restartable && isRunning(live):
			res.RestartRequired = true
		case !t.Kind.Restartable:
			res.NewInstancesOnly = true
		}
	}
	if a.opts.Restart && res.RestartRequired && a.opts.DryRun == DryRunNone {
		res.RestartErr = a.restart(ctx, m, t)
		res.Restarted = res.RestartErr == nil
	}
	return res, false
}

func (res Result) fail(err error) Result {
	res.Status, res.Err = StatusFailed, err
	return res
}

func (res Result) done(changed bool) Result {
	res.Status = StatusUnchanged
	if changed {
		res.Status = StatusApplied
	}
	return res
}

// lint lints the object as it would be, without its managedFields, which
// say nothing about health checks.
func (a *Applier) lint(obj *unstructured.Unstructured) []validate.Finding {
	obj = obj.DeepCopy()
	obj.SetManagedFields(nil)
	fs, err := a.opts.Linter.LintObject(obj.Object)
	if err != nil {
		return []validate.Finding{{
			RuleID: validate.InternalErrorRuleID, Severity: validate.SeverityError,
			Message: fmt.Sprintf("linting the result: %v", err),
		}}
	}
	return fs
}

func countErrors(fs []validate.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= validate.SeverityError && f.Suppressed == nil {
			n++
		}
	}
	return n
}

func (a *Applier) explain(err error, verb string, k Kind) error {
	var ni *NotInstalledError
	if a.c.Explain == nil || errors.As(err, &ni) {
		return err
	}
	return a.c.Explain(err, verb, k.Resource+"."+k.Group)
}

// isRunning reports whether a VirtualMachine runs or is meant to: its
// printableStatus when KubeVirt has set one, else spec.running or a
// runStrategy that keeps it running.
func isRunning(vm *unstructured.Unstructured) bool {
	if ps, ok, _ := unstructured.NestedString(vm.Object, "status", "printableStatus"); ok && ps != "" {
		switch ps {
		case "Running", "Starting", "Migrating", "Paused", "WaitingForVolumeBinding":
			return true
		}
		return false
	}
	if r, ok, _ := unstructured.NestedBool(vm.Object, "spec", "running"); ok {
		return r
	}
	rs, _, _ := unstructured.NestedString(vm.Object, "spec", "runStrategy")
	return rs == "Always" || rs == "RerunOnFailure"
}
