package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/explain"
	"github.com/vmhealth/vmhealth/validate"
)

// explainFormats are the output formats of explain.
var explainFormats = []string{"text", "json"}

// ExplainOptions hold the dependencies and flags of explain.
type ExplainOptions struct {
	IO *IOStreams
	// Inputs are files or directories, or "-" for standard input: the
	// arguments then -f's.
	Inputs []string
	// shallow tells the -f directories read one level deep.
	shallow func(string) bool
	// Filenames are -f and -R (filename.go).
	Filenames filenameOptions
	// Output is text or json.
	Output string
	// linterConfig holds the configuration file, --arch and
	// --min-boot-seconds, as every command has them (linter.go).
	linterConfig
}

// NewCmdExplain builds the explain command. runF replaces explainRun in
// tests.
func NewCmdExplain(f *Factory, runF func(*ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{IO: f.IOStreams, linterConfig: linterConfig{Registry: f.Registry}}
	cmd := &cobra.Command{
		Use:   "explain [flags] (path... | - | -f path [-R]...)",
		Short: "Show what the probes and watchdog of a VM really do, in seconds and in words",
		Long: `Explain the health checks of each VirtualMachine, VirtualMachineInstance,
ReplicaSet and pool in the files: for every readiness and liveness probe,
the values as written, as KubeVirt defaults them, and as the kubelet runs
them on the virt-launcher pod (KubeVirt adds 10 s to initialDelaySeconds,
and 1 s to the timeout of exec and guestAgentPing probes); then when the
first probe runs, when the VM can be Ready, how long a hung guest goes
unnoticed and what happens then, with a small timeline. For the watchdog:
its model, its action and what the guest must run. Lint's findings on each
object come along.

Paths are files or directories (their .yaml, .yml and .json files,
recursively), or given with kubectl's -f: a directory given with -f is read
one level deep unless -R.

Exit status: 0, whatever the findings (use lint to fail a build); 2 when an
input cannot be read.`,
		Example: `  # What do these probes do?
  vmhealth explain vm.yaml

  # Every manifest of a directory, kubectl-style
  vmhealth explain -f manifests/ -R

  # For a program
  vmhealth explain -o json vm.yaml | jq '.files[].objects[].probes[].timing'

  # What a generated stanza would do, before using it
  vmhealth gen --vm demo --liveness http:1500/healthz | vmhealth explain -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			shallow := opts.Filenames.shallow(args)
			args = opts.Filenames.paths(args)
			if len(args) == 0 {
				if opts.IO.IsStdinTTY() {
					return usageErrorf(cmd, "nothing to explain: give files, or - to read standard input")
				}
				args = []string{validate.StdinName}
			}
			if n := strings.Count(strings.Join(args, "\x00")+"\x00", validate.StdinName+"\x00"); n > 1 {
				return usageErrorf(cmd, "- (standard input) given %d times; it can be read only once", n)
			}
			if !slices.Contains(explainFormats, opts.Output) {
				return invalidEnum(cmd, flagOutput, opts.Output, explainFormats)
			}
			if err := opts.completeLinter(cmd, flagArch, flagMinBootSeconds); err != nil {
				return err
			}
			opts.Inputs, opts.shallow = args, shallow
			if runF != nil {
				return runF(opts)
			}
			return explainRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, flagOutput, "o", "text", "output format: text or json")
	fl.StringVar(&opts.Arch, flagArch, "amd64", "architecture assumed for VMs that set none, which decides the watchdog model: "+strings.Join(architectures, ", "))
	fl.IntVar(&opts.MinBootSeconds, flagMinBootSeconds, 60, "seconds a guest is assumed to need to boot, to tell whether a liveness probe can end it while it boots")
	addConfigFlags(cmd, &opts.linterConfig, "configuration file whose rule settings apply")
	addFilenameFlags(cmd, &opts.Filenames, "file or directory to explain, as kubectl's -f")
	_ = cmd.RegisterFlagCompletionFunc(flagOutput, cobra.FixedCompletions(explainFormats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagArch, cobra.FixedCompletions(architectures, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func explainRun(opts *ExplainOptions) error {
	linter, err := opts.newLinter(nil)
	if err != nil {
		return err
	}
	var reports []*explain.Report
	failed := false
	for _, arg := range opts.Inputs {
		files, err := manifestFilesOf(arg, opts.shallow != nil && opts.shallow(arg))
		if err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "vmhealth: %v\n", err)
			failed = true
			continue
		}
		for _, in := range files {
			data, err := validate.ReadInput(in, opts.IO.In)
			if err != nil {
				fmt.Fprintf(opts.IO.ErrOut, "vmhealth: %v\n", err)
				failed = true
				continue
			}
			reports = append(reports, explain.File(in, data, explain.Options{Linter: linter}))
		}
	}
	if opts.Output == "json" {
		if err := explain.WriteJSON(opts.IO.Out, reports); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	} else {
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(opts.IO.Out)
			}
			if err := explain.WriteText(opts.IO.Out, r); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
		}
	}
	if failed {
		return errSilent
	}
	return nil
}
