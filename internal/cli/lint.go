package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/render"
	"github.com/vmhealth/vmhealth/validate"
)

// Flag names of lint, shared with the tests and docs.
const (
	flagOutput           = "output"
	flagFailOn           = "fail-on"
	flagNoColor          = "no-color"
	flagQuiet            = "quiet"
	flagArch             = "arch"
	flagMaxDocumentBytes = "max-document-bytes"
	flagDisable          = "disable"
)

// architectures are the values of --arch: KubeVirt's architectures, whose
// watchdog devices differ.
var architectures = []string{"amd64", "arm64", "s390x"}

// severityNames are the values of --fail-on, highest first.
var severityNames = []string{"error", "warning", "info"}

// LintOptions hold the dependencies and flags of lint.
type LintOptions struct {
	IO *IOStreams
	// ColorAllowed is whether the environment allows colour (a terminal,
	// no NO_COLOR); --no-color can only turn it off.
	ColorAllowed bool

	// Inputs are the paths to lint, the arguments then -f's; "-" is
	// standard input.
	Inputs []string
	// Filenames are -f and -R (filename.go).
	Filenames filenameOptions
	// shallowDir tells the -f directories read one level deep.
	shallowDir func(string) bool
	// Output is the format name, one of render.Formats().
	Output string
	// FailOn is the lowest severity that makes lint exit 1.
	FailOn validate.Severity
	// NoColor turns colour off even on a terminal.
	NoColor bool
	// Quiet shows only unsuppressed findings at or above FailOn and no
	// summary.
	Quiet bool
	// MaxDocumentBytes caps one YAML document.
	MaxDocumentBytes int64
	// linterConfig holds the registry, the configuration file, --arch,
	// --disable and --min-boot-seconds (linter.go).
	linterConfig
	// Sources are the Helm chart flags (lint_sources.go).
	Sources sourceOptions
	// ciOptions are the baseline flags (lint_config.go).
	ciOptions
	// fixOptions are --fix and --diff (lint_fix.go).
	fixOptions

	// Cluster holds --cluster and the flags that choose what to read from
	// a cluster (lint_cluster.go).
	Cluster ClusterLintOptions

	// implicitStdin is set when no path was given and stdin is read
	// because something is piped in.
	implicitStdin bool
}

// NewCmdLint builds the lint command. runF replaces lintRun in tests.
func NewCmdLint(f *Factory, runF func(context.Context, *LintOptions) error) *cobra.Command {
	opts := &LintOptions{IO: f.IOStreams, linterConfig: linterConfig{Registry: f.Registry}, Cluster: ClusterLintOptions{Version: versionString(f)}}
	var failOn string
	maxDoc := byteSize(16 << 20)

	cmd := &cobra.Command{
		Use:   "lint [path... | -] [-f path [-R]]...",
		Short: "Find mistakes in the health checks of VM manifests",
		Long: `Lint KubeVirt manifests: VirtualMachines, VirtualMachineInstances,
ReplicaSets and pools, alone, in Lists or in OpenShift Templates, in YAML or
JSON, many documents to a file. Directories are searched recursively for
.yaml, .yml and .json files; - reads standard input, as does no path at all
when something is piped in. Paths may also be given with kubectl's -f
(repeatable); as in kubectl, a directory given with -f is read one level
deep unless -R. Other kinds (Services, Deployments) are read
for context and otherwise skipped.

Each finding names the file, line and column, the rule, the object and
field, and how to fix it. Silence a finding on purpose with the
vmhealth.io/ignore annotation on the object (a comma-separated list of rule
IDs) and say why in vmhealth.io/ignore-reason.

Exit status: 0 when no unsuppressed finding is at or above --fail-on, 1 when
one is, 2 on a usage error or when an input could not be read (the other
inputs are still linted and reported).`,
		Example: `  # Lint one manifest, and a whole tree
  vmhealth lint vm.yaml
  vmhealth lint manifests/

  # The same with kubectl's flags: -f DIR reads one level, -R all of it
  vmhealth lint -f vm.yaml -f manifests/ -R

  # Lint what Helm, Kustomize or OpenShift render
  helm template ./chart | vmhealth lint -
  kustomize build overlays/prod | vmhealth lint -o json -
  oc process -f template.yaml | vmhealth lint -

  # Fail CI on warnings too, showing only what fails it
  vmhealth lint --fail-on warning --quiet deploy/

  # Check for arm64 nodes, without one rule
  vmhealth lint --arch arm64 --disable template-parameter vm.yaml

  # Fix what is certain in place, or show the fixes first
  vmhealth lint --fix manifests/
  vmhealth lint --fix --diff vm.yaml
  cat vm.yaml | vmhealth lint --fix - > fixed.yaml

  # Lint what a cluster runs, in every namespace
  vmhealth lint --cluster -A`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := setupCI(cmd, f, opts); err != nil {
				return err
			}
			if !slices.Contains(render.Formats(), opts.Output) {
				return invalidEnum(cmd, flagOutput, opts.Output, render.Formats())
			}
			sev, err := validate.ParseSeverity(failOn)
			if err != nil {
				return invalidEnum(cmd, flagFailOn, failOn, severityNames)
			}
			opts.FailOn = sev
			opts.MaxDocumentBytes = int64(maxDoc)
			if err := setLintTarget(cmd, opts, args); err != nil {
				return err
			}
			if opts.Diff && !opts.Fix {
				return usageErrorf(cmd, "--%s shows what --%s would change: give both", flagDiff, flagFix)
			}
			if opts.Fix && opts.Cluster.Enabled {
				return usageErrorf(cmd, "--%s edits files; it cannot be used with --cluster", flagFix)
			}
			opts.ColorAllowed = f.ColorAllowed()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLint(cmd.Context(), opts)
		},
	}

	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, flagOutput, "o", "text", "output format: "+strings.Join(render.Formats(), ", "))
	fl.StringVar(&failOn, flagFailOn, "error", "lowest severity that fails the run (exit 1): error, warning or info")
	fl.BoolVar(&opts.NoColor, flagNoColor, false, "never colour the output (colour is also off when NO_COLOR is set or stdout is not a terminal)")
	fl.BoolVarP(&opts.Quiet, flagQuiet, "q", false, "show only findings at or above --fail-on, and no summary")
	fl.StringVar(&opts.Arch, flagArch, "amd64", "architecture assumed for VMs that do not set spec.template.spec.architecture: "+strings.Join(architectures, ", "))
	fl.Var(&maxDoc, flagMaxDocumentBytes, "largest YAML document to lint, in bytes or with a suffix (512Ki, 16Mi); larger ones are reported and skipped")
	fl.StringSliceVar(&opts.Disable, flagDisable, nil, "turn off a rule by ID (repeat the flag or separate IDs with commas)")
	addConfigFlags(cmd, &opts.linterConfig, "configuration file")
	addSourceFlags(cmd, &opts.Sources)
	fl.IntVar(&opts.MinBootSeconds, flagMinBootSeconds, 60, "seconds a guest is assumed to need to boot; liveness probes that can end the VM sooner are reported")
	addCIFlags(cmd, &opts.ciOptions)
	addClusterLintFlags(cmd, &opts.Cluster)
	addFixFlags(cmd, &opts.fixOptions)
	addFilenameFlags(cmd, &opts.Filenames, "file or directory to lint, as kubectl's -f")

	_ = cmd.RegisterFlagCompletionFunc(flagOutput, cobra.FixedCompletions(render.Formats(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagFailOn, cobra.FixedCompletions(severityNames, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagArch, cobra.FixedCompletions(architectures, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagDisable, func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return ruleCompletions(opts.Registry), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// emptyNamedFiles reports the files named on the command line (as
// arguments or with -f) that are empty: as with empty standard input, a
// generator that failed would otherwise pass having printed nothing. An
// empty file found inside a directory is fine.
func emptyNamedFiles(inputs []string) []validate.InputError {
	var errs []validate.InputError
	for _, in := range inputs {
		if in == validate.StdinName {
			continue
		}
		if st, err := os.Stat(in); err == nil && st.Mode().IsRegular() && st.Size() == 0 {
			errs = append(errs, validate.InputError{File: in, Err: errors.New("the file is empty: a file named on the command line must hold manifests")})
		}
	}
	return errs
}

// setInputs decides what to read: the paths given, or standard input when
// none are given and something is piped in.
func setInputs(cmd *cobra.Command, opts *LintOptions, args []string) error {
	opts.shallowDir = opts.Filenames.shallow(args)
	args = opts.Filenames.paths(args)
	if len(args) == 0 {
		if opts.IO.IsStdinTTY() {
			return usageErrorf(cmd, "nothing to lint: give files or directories, or - to read standard input")
		}
		args = []string{validate.StdinName}
		opts.implicitStdin = true
	}
	stdin := 0
	for _, a := range args {
		if a == validate.StdinName {
			stdin++
		}
		if a == "" {
			return usageErrorf(cmd, "empty path")
		}
	}
	if stdin > 1 {
		return usageErrorf(cmd, "- (standard input) given %d times; it can be read only once", stdin)
	}
	opts.Inputs = args
	return nil
}

// newRenderer is the output both lint paths (files, cluster) write to.
func (opts *LintOptions) newRenderer(w io.Writer) (render.Formatter, error) {
	return render.New(opts.Output, w, render.Options{
		Color:       opts.ColorAllowed && !opts.NoColor,
		Quiet:       opts.Quiet,
		Registry:    opts.Registry,
		FailOn:      opts.FailOn,
		BaseDir:     opts.baseDir(),
		ToolVersion: opts.toolVersion,
	})
}

// lintLinter is the linter both lint paths use, with the flags' and the
// configuration file's settings. Objects are announced to out when its
// format lists every object (JUnit).
func (opts *LintOptions) lintLinter(out render.Formatter) (*validate.Linter, error) {
	return opts.newLinter(func(o *validate.Options) {
		if ow, ok := out.(render.ObjectWriter); ok {
			o.OnObject = ow.WriteObject
		}
		o.MaxDocumentBytes = opts.MaxDocumentBytes
		o.SkipPath = opts.skipPath()
		o.ShallowDir = opts.shallowDir
	})
}

// start sets up what both lint paths (files, cluster) use: the output,
// the baseline run and the linter.
func (opts *LintOptions) start(stdout, stderr io.Writer) (render.Formatter, *ciRun, *validate.Linter, error) {
	out, err := opts.newRenderer(stdout)
	if err != nil {
		return nil, nil, nil, err
	}
	linter, err := opts.lintLinter(out)
	if err != nil {
		return nil, nil, nil, err
	}
	ci, err := startCI(&opts.ciOptions, stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	return out, ci, linter, nil
}

func lintRun(ctx context.Context, opts *LintOptions) error {
	stdout, stderr := opts.IO.Out, opts.IO.ErrOut
	out, ci, linter, err := opts.start(stdout, stderr)
	if err != nil {
		return err
	}

	// A failed write (stdout closed) stops the run instead of linting on
	// for nobody.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var writeErr error
	emit := func(f validate.Finding) {
		if writeErr != nil {
			return
		}
		if !ci.keep(&f) {
			return
		}
		if opts.Quiet && (f.Suppressed != nil || f.Severity < opts.FailOn) {
			return
		}
		if writeErr = out.Write(f); writeErr != nil {
			cancel()
		}
	}
	plain, rendered := splitInputs(opts.Inputs)
	sum := &validate.Summary{Skipped: map[string]int{}, Findings: map[string]int{}}
	if len(plain) > 0 {
		s, err := linter.Lint(ctx, plain, opts.IO.In, emit)
		if err != nil {
			return err
		}
		addSummary(sum, s)
		sum.InputErrors = append(sum.InputErrors, emptyNamedFiles(plain)...)
	}
	for _, in := range rendered {
		if err = opts.lintRendered(ctx, linter, in, emit, sum); err != nil {
			break
		}
	}
	if writeErr != nil {
		return fmt.Errorf("writing output: %w", writeErr)
	}
	if err != nil {
		return err
	}
	ci.adjust(sum)

	for _, e := range sum.InputErrors {
		fmt.Fprintf(stderr, "vmhealth: %s: %v\n", e.File, e.Err)
	}
	if err := out.Flush(sum); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if err := ci.finish(stderr); err != nil {
		return err
	}
	switch {
	case len(sum.InputErrors) > 0:
		return errSilent
	case (opts.implicitStdin || slices.Equal(opts.Inputs, []string{validate.StdinName})) && sum.Documents == 0:
		// "vmhealth lint" in a script whose stdin happens not to be a
		// terminal, or "helm template ./chart | vmhealth lint -" when helm
		// failed, would otherwise pass having checked nothing; an empty
		// file named on the command line is an error in the same way.
		fmt.Fprintln(stderr, "vmhealth: standard input was empty: give files or directories to lint, or pipe manifests in")
		return errSilent
	case sum.Files == 0 && sum.IgnoredPaths == 0:
		// A lint that read nothing is almost always a wrong path in CI.
		fmt.Fprintf(stderr, "vmhealth: no .yaml, .yml or .json files found in %s\n", strings.Join(opts.Inputs, ", "))
		return errSilent
	case sum.Count(opts.FailOn) > 0:
		return errFindings
	}
	return nil
}
