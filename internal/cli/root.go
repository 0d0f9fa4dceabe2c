// Package cli is the vmhealth command line. Each command has an options
// struct holding its flags and dependencies, a NewCmdX(f, runF) that builds
// the cobra command (runF lets tests stop after flag parsing), and an xRun
// that does the work; cmd/vmhealth only calls Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/internal/lsp"
)

// Exit codes of every command.
const (
	// ExitOK means success; for lint, no unsuppressed finding at or above
	// --fail-on.
	ExitOK = 0
	// ExitFindings means lint found something at or above --fail-on, or
	// a probe run ended NotReady, killed, or with a failed --once attempt,
	// or an editor ended lsp without shutdown.
	ExitFindings = 1
	// ExitError means a usage error, an input that could not be read, or
	// another failure of the run itself.
	ExitError = 2
	// ExitInterrupted follows the shell's 128+SIGINT convention.
	ExitInterrupted = 130
)

// errFindings ends a lint run that found problems; the findings have been
// printed already, so Main adds nothing.
var errFindings = errors.New("findings at or above the --fail-on severity")

// errSilent ends a run whose messages have been printed already.
var errSilent = errors.New("failed")

// usageError is a mistake on the command line (a flag, an argument): Main
// points at --help. It is gh's FlagErrorf: only these get the hint.
type usageError struct {
	err error
	cmd *cobra.Command
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), cmd: cmd}
}

// runtimeError is an error of a run that got past its command line: a
// missing file, an unreachable cluster. Main shows it without the --help
// hint.
type runtimeError struct{ err error }

func (e *runtimeError) Error() string { return e.err.Error() }
func (e *runtimeError) Unwrap() error { return e.err }

// configError is a configuration file that could not be read or is
// wrong, one line a mistake.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// markRuntimeErrors wraps the RunE of cmd and its subcommands so that what
// they return, unless a usage error, is a runtimeError. What is left
// unmarked comes from cobra itself before any RunE (an unknown command, a
// wrong number of arguments): usage errors.
func markRuntimeErrors(cmd *cobra.Command) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			err := run(c, args)
			var ue *usageError
			if err == nil || errors.As(err, &ue) || errors.Is(err, errFindings) || errors.Is(err, errSilent) {
				return err
			}
			return &runtimeError{err: err}
		}
	}
	for _, c := range cmd.Commands() {
		markRuntimeErrors(c)
	}
}

// Main runs vmhealth with the process's arguments and streams and returns
// the exit code.
func Main() int {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, NewFactory(), os.Args[1:])
}

// Run runs vmhealth with args in-process and returns the exit code.
func Run(ctx context.Context, f *Factory, args []string) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return handleError(ctx, f, cmd, err)
}

func handleError(ctx context.Context, f *Factory, cmd *cobra.Command, err error) int {
	stderr := f.IOStreams.ErrOut
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "vmhealth: interrupted")
		return ExitInterrupted
	case errors.Is(err, errFindings), errors.Is(err, errProbeFailed), errors.Is(err, lsp.ErrExitWithoutShutdown):
		return ExitFindings
	case errors.Is(err, errSilent):
		return ExitError
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "vmhealth: %v\n", err)
		if ue.cmd != nil {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", ue.cmd.CommandPath())
		}
		return ExitError
	}
	var ce *configError
	if errors.As(err, &ce) {
		// One line a mistake in the file, each prefixed.
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "vmhealth: %s\n", line)
		}
		return ExitError
	}
	var re *runtimeError
	if errors.As(err, &re) {
		fmt.Fprintf(stderr, "vmhealth: %v\n", err)
		return ExitError
	}
	fmt.Fprintf(stderr, "vmhealth: %v\n", err)
	// Cobra reports unknown commands and wrong argument counts as plain
	// errors; they are usage errors all the same.
	if cmd != nil {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return ExitError
}

// NewCmdRoot builds the vmhealth command and its subcommands.
func NewCmdRoot(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vmhealth <command>",
		Short: "Author, check and roll out health checks of KubeVirt virtual machines",
		Long: `vmhealth checks the health checks of virtual machines on Kubernetes
(KubeVirt, OpenShift Virtualization): readiness and liveness probes and the
watchdog. KubeVirt accepts many mistakes in them and fails later: a liveness
probe with successThreshold 2 keeps the VM from ever starting, a probe on a
port the masquerade binding does not forward fails forever, and a typo such
as periodSecond is dropped without a word. vmhealth finds them in your
manifests, with the file, line and column of each.`,
		Example: `  # Lint a manifest, a directory tree, or what a tool renders
  vmhealth lint vm.yaml
  vmhealth lint manifests/
  helm template ./chart | vmhealth lint -

  # List the rules, and read about one
  vmhealth rules
  vmhealth rules unknown-field`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       versionString(f),
	}
	if pluginName(os.Args) {
		// Installed as kubectl-vmhealth and run as `kubectl vmhealth`:
		// usage lines say so, as kubectl's plugin convention asks.
		cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl vmhealth"}
	}
	cmd.SetIn(f.IOStreams.In)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetVersionTemplate("vmhealth {{.Version}}\n")
	// --version has no -v: -v is kubectl's log level on every command.
	cmd.Flags().Bool("version", false, "print the version of vmhealth (vmhealth version says more)")
	var verbosity int
	addVerbosityFlag(cmd.PersistentFlags(), &verbosity)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err: err, cmd: c}
	})
	cmd.AddCommand(
		NewCmdLint(f, nil),
		NewCmdApply(f, nil),
		NewCmdRules(f, nil),
		NewCmdPolicy(f, nil),
		NewCmdGen(f, nil),
		NewCmdExplain(f, nil),
		NewCmdProbe(f, nil),
		NewCmdLsp(f, nil),
		NewCmdVersion(f, nil),
	)
	addCompletion(cmd)
	markRuntimeErrors(cmd)
	return cmd
}

// addCompletion adds cobra's completion command now rather than at Execute,
// so it gets examples like every other command.
func addCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Long += `

Besides commands and flags, what lives in a cluster completes from the
cluster that --kubeconfig, --context and -n on the line point at: apply's
VM names (and TYPE/NAME), -n's namespaces, --context's contexts. A
cluster that does not answer within 5 s (or --request-timeout) gives no
completions and no message.`
		c.Example = `  # Load completions into the current bash session
  source <(vmhealth completion bash)

  # Install them for every zsh session
  vmhealth completion zsh > "${fpath[1]}/_vmhealth"

  # fish
  vmhealth completion fish > ~/.config/fish/completions/vmhealth.fish

  # PowerShell
  vmhealth completion powershell | Out-String | Invoke-Expression`
		// Without a RunE cobra answers an unknown shell with the help on
		// stdout and exit 0, which a script would take for a completion
		// script.
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			var shells []string
			for _, s := range c.Commands() {
				if s.IsAvailableCommand() {
					shells = append(shells, s.Name())
				}
			}
			msg := fmt.Sprintf("unknown shell %q (one of: %s)", args[0], strings.Join(shells, ", "))
			if s := suggestValue(args[0], shells); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return usageErrorf(c, "%s", msg)
		}
	}
}

// pluginName reports whether the program runs as a kubectl plugin: kubectl
// runs kubectl-vmhealth from PATH with that name as argv[0].
func pluginName(args []string) bool {
	if len(args) == 0 {
		return false
	}
	base := strings.TrimSuffix(filepath.Base(args[0]), ".exe")
	return base == "kubectl-vmhealth"
}
