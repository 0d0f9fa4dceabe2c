package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/gen"
	"github.com/vmhealth/vmhealth/internal/atomicfile"
	"github.com/vmhealth/vmhealth/validate"
)

// Flag names of gen, shared with the tests and docs; --output and --arch
// are lint's. Prefixed, as other commands have flags of the same names.
const (
	genFlagReadiness        = "readiness"
	genFlagLiveness         = "liveness"
	genFlagHeader           = "header"
	genFlagInitialDelay     = "initial-delay"
	genFlagPeriod           = "period"
	genFlagTimeout          = "timeout"
	genFlagFailureThreshold = "failure-threshold"
	genFlagSuccessThreshold = "success-threshold"
	genFlagWatchdog         = "watchdog"
	genFlagWatchdogModel    = "watchdog-model"
	genFlagWatchdogName     = "watchdog-name"
	genFlagFor              = "for"
	genFlagVM               = "vm"
	genFlagNamespace        = "namespace"
	genFlagImage            = "image"
	genFlagInto             = "into"
	genFlagName             = "name"
	genFlagDryRun           = "dry-run"
	genFlagCloudInit        = "cloud-init"
	genFlagGuestOS          = "guest-os"
)

// probeSettings are the timing flags; each exists for both probes
// (--period) and for one (--readiness-period, --liveness-period).
var probeSettings = []struct {
	flag, field, help string
}{
	{genFlagInitialDelay, "initialDelaySeconds", "seconds before the first probe (KubeVirt adds 10)"},
	{genFlagPeriod, "periodSeconds", "seconds between probes (default 10); must be more than the timeout"},
	{genFlagTimeout, "timeoutSeconds", "seconds a probe may take (default 1)"},
	{genFlagFailureThreshold, "failureThreshold", "failures in a row that fail the probe (default 3)"},
	{genFlagSuccessThreshold, "successThreshold", "successes in a row that pass it again (default 1; must be 1 for liveness)"},
}

// GenOptions hold the dependencies and flags of gen.
type GenOptions struct {
	IO *IOStreams

	// Request is what to generate, from the probe and watchdog flags.
	Request gen.Request
	// Output is yaml, json or patch.
	Output string
	// For places the stanza in a VirtualMachine or a VMI.
	For gen.Target
	// VM is the name of a whole VirtualMachine to write; empty writes the
	// stanza alone.
	VM        string
	Namespace string
	Image     string
	// Into is a manifest to merge the stanza into, in place; Name picks
	// the object in it.
	Into   string
	Name   string
	DryRun bool
	// CloudInit writes the guest side as cloud-config.
	CloudInit bool

	// linterConfig holds the configuration file whose rule settings the
	// lint of the result follows (linter.go); gen's --arch is the VM's
	// own, not lint's.
	linterConfig

	// cmd is the command, for the usage hint of errors in what the flags
	// ask for.
	cmd *cobra.Command

	// setBy maps a field of the stanza (readinessProbe.periodSeconds) to
	// the flag that set it, for error messages.
	setBy map[string]string
}

// NewCmdGen builds the gen command. runF replaces genRun in tests.
func NewCmdGen(f *Factory, runF func(*GenOptions) error) *cobra.Command {
	opts := &GenOptions{IO: f.IOStreams, linterConfig: linterConfig{Registry: f.Registry}}
	var output, target, arch, guestOS string
	var stanza *stanzaFlags

	cmd := &cobra.Command{
		Use:   "gen [flags]",
		Short: "Write readiness and liveness probes and a watchdog that lint clean",
		Long: `Write the health checks of a KubeVirt VM: readiness and liveness probes
and a watchdog device, as a stanza to paste (YAML or JSON, placed as in a
VirtualMachine or a VirtualMachineInstance), as a JSON merge patch for
kubectl patch, as a whole minimal VirtualMachine, or merged into a manifest
you have. --cloud-init adds what the guest must run for them to work.

A probe is one word:
  http:1500/healthz       GET /healthz on port 1500
  https:8443/ready        the same over TLS (the kubelet does not verify it)
  tcp:1500, tcp:ssh       a TCP connection to a port, by number or name
  exec:'cat /tmp/healthy' a command run by qemu-guest-agent in the guest
  guest-agent-ping        qemu-guest-agent answers

--period, --timeout and the other timing flags set both probes;
--readiness-period, --liveness-timeout and so on set one.

gen refuses what vmhealth lint would call an error, such as a period not
longer than the timeout or a liveness successThreshold above 1, and says
which flag to change (exit status 2). Lint's warnings and advice on the
result go to standard error.

--into edits the file in place: only the probe and watchdog fields (and
the pod interface's ports, and with --cloud-init the cloud-init volume)
change; comments, key order and every other line stay as they were. The
file is replaced atomically, keeping its mode.`,
		Example: `  # The watchdog device stanza
  vmhealth gen --watchdog poweroff

  # The documentation's HTTP readiness probe
  vmhealth gen --readiness http:1500/healthz --header 'Custom-Header: Awesome' \
    --initial-delay 120 --period 20 --timeout 10 --failure-threshold 3 --success-threshold 3

  # A TCP readiness and an HTTP liveness probe, for a VMI, as JSON
  vmhealth gen --for vmi -o json --readiness tcp:1500 --liveness http:1500/healthz \
    --liveness-initial-delay 120

  # Patch a running VM's template
  kubectl patch vm web --type merge -p "$(vmhealth gen -o patch --readiness tcp:22)"

  # Merge into a manifest, with the guest side in its cloud-init
  vmhealth gen --into vm.yaml --readiness http:1500/healthz --watchdog reset --cloud-init

  # A whole VM to try it all out
  vmhealth gen --vm demo --readiness http:1500/healthz --liveness tcp:1500 \
    --liveness-initial-delay 120 --watchdog poweroff --cloud-init --guest-os ubuntu

  # ... in namespace prod (-n, as kubectl), straight into the cluster
  vmhealth gen --vm demo -n prod --readiness tcp:22 | kubectl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req, setBy, err := stanza.request(cmd, "")
			if err != nil {
				return err
			}
			opts.Request, opts.setBy = *req, setBy
			if opts.Request.Readiness == nil && opts.Request.Liveness == nil && opts.Request.Watchdog == nil {
				return usageErrorf(cmd, "nothing to generate: give --%s, --%s or --%s", genFlagReadiness, genFlagLiveness, genFlagWatchdog)
			}
			if arch != "" && !slices.Contains(architectures, arch) {
				return invalidEnum(cmd, flagArch, arch, architectures)
			}
			opts.Request.Arch = arch
			if opts.Request.GuestOS, err = gen.ParseGuestOS(guestOS); err != nil {
				if errors.Is(err, gen.ErrWindowsGuest) {
					return usageErrorf(cmd, "--%s: %v", genFlagGuestOS, err)
				}
				return invalidEnum(cmd, genFlagGuestOS, guestOS, guestOSNames())
			}
			opts.Request.CloudInit = opts.CloudInit
			opts.cmd = cmd
			if err := opts.completeLinter(cmd); err != nil {
				return err
			}
			return genOutputFlags(cmd, opts, output, target, runF)
		},
	}

	fl := cmd.Flags()
	stanza = addStanzaFlags(fl)
	fl.StringVar(&arch, flagArch, "", "the VM's architecture, which decides the watchdog model: amd64 (default), arm64 or s390x; --into reads it from the file")
	addConfigFlags(cmd, &opts.linterConfig, "configuration file whose rule settings the lint of the result follows")
	fl.StringVarP(&output, flagOutput, "o", string(gen.FormatYAML), "output format: yaml, json, or patch (a JSON merge patch)")
	fl.StringVar(&target, genFlagFor, string(gen.TargetVM), "place the stanza as in a VirtualMachine (vm: spec.template.spec) or a VirtualMachineInstance (vmi: spec)")
	fl.StringVar(&opts.VM, genFlagVM, "", "write a whole minimal VirtualMachine of this name (container disk, pod network, masquerade)")
	fl.StringVarP(&opts.Namespace, genFlagNamespace, "n", "", "namespace of the --vm")
	fl.StringVar(&opts.Image, genFlagImage, "", "container disk image of the --vm (default: a cloud image of --guest-os)")
	fl.StringVar(&opts.Into, genFlagInto, "", "merge into this VirtualMachine or VirtualMachineInstance manifest, in place")
	fl.StringVar(&opts.Name, genFlagName, "", "with --into: the object to change, for files with several")
	fl.BoolVar(&opts.DryRun, genFlagDryRun, false, "with --into: print the merged file instead of writing it")
	fl.BoolVar(&opts.CloudInit, genFlagCloudInit, false, "also write what the guest must run (probe server, watchdog daemon, qemu-guest-agent) as cloud-config")
	fl.StringVar(&guestOS, genFlagGuestOS, string(gen.GuestFedora), "guest OS for --cloud-init and the --vm image: fedora, rhel, centos (dnf/yum) or ubuntu, debian (apt)")

	cmd.MarkFlagsMutuallyExclusive(genFlagVM, genFlagInto)
	fixed := func(vals ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp)
	}
	_ = cmd.RegisterFlagCompletionFunc(genFlagWatchdog, fixed("poweroff", "reset", "shutdown"))
	_ = cmd.RegisterFlagCompletionFunc(genFlagWatchdogModel, fixed("i6300esb", "diag288"))
	_ = cmd.RegisterFlagCompletionFunc(flagArch, fixed(architectures...))
	_ = cmd.RegisterFlagCompletionFunc(flagOutput, fixed("yaml", "json", "patch"))
	_ = cmd.RegisterFlagCompletionFunc(genFlagFor, fixed("vm", "vmi"))
	_ = cmd.RegisterFlagCompletionFunc(genFlagGuestOS, fixed(guestOSNames()...))
	for _, name := range []string{genFlagReadiness, genFlagLiveness} {
		_ = cmd.RegisterFlagCompletionFunc(name, fixed("http:", "https:", "tcp:", "exec:", "guest-agent-ping"))
	}
	_ = cmd.MarkFlagFilename(genFlagInto, "yaml", "yml", "json")
	return cmd
}

// probeRequest builds one probe's request from --readiness or --liveness
// and the timing flags, recording which flag set which field.
func probeRequest(cmd *cobra.Command, kind, spec string, headers, own []string, settings map[string]*int32, setBy map[string]string) (*gen.ProbeRequest, error) {
	fl := cmd.Flags()
	if !fl.Changed(kind) {
		for _, s := range probeSettings {
			if fl.Changed(kind + "-" + s.flag) {
				return nil, usageErrorf(cmd, "--%s-%s needs --%s", kind, s.flag, kind)
			}
		}
		if len(own) > 0 {
			return nil, usageErrorf(cmd, "--%s-%s needs --%s", kind, genFlagHeader, kind)
		}
		return nil, nil
	}
	r := &gen.ProbeRequest{Spec: spec}
	field := kind + "Probe"
	if strings.HasPrefix(strings.ToLower(spec), "http") {
		r.Headers = append(r.Headers, headers...)
	}
	r.Headers = append(r.Headers, own...)
	for _, s := range probeSettings {
		var v *int32
		for _, name := range []string{s.flag, kind + "-" + s.flag} { // the probe's own flag wins
			if fl.Changed(name) {
				v = settings[name]
				setBy[field+"."+s.field] = "--" + name
			}
		}
		switch s.field {
		case "initialDelaySeconds":
			r.InitialDelaySeconds = v
		case "periodSeconds":
			r.PeriodSeconds = v
		case "timeoutSeconds":
			r.TimeoutSeconds = v
		case "failureThreshold":
			r.FailureThreshold = v
		case "successThreshold":
			r.SuccessThreshold = v
		}
	}
	return r, nil
}

// checkHeaders refuses --header when no http or https probe could take it.
func checkHeaders(cmd *cobra.Command, req gen.Request, headers []string) error {
	if len(headers) == 0 {
		return nil
	}
	for _, p := range []*gen.ProbeRequest{req.Readiness, req.Liveness} {
		if p != nil && strings.HasPrefix(strings.ToLower(p.Spec), "http") {
			return nil
		}
	}
	return usageErrorf(cmd, "--%s needs an http or https probe", genFlagHeader)
}

// genOutputFlags checks the flags that say where the result goes.
func genOutputFlags(cmd *cobra.Command, opts *GenOptions, output, target string, runF func(*GenOptions) error) error {
	fl := cmd.Flags()
	opts.Output = output
	if !slices.Contains(gen.Formats, gen.Format(output)) {
		return invalidEnum(cmd, flagOutput, output, []string{string(gen.FormatYAML), string(gen.FormatJSON), string(gen.FormatPatch)})
	}
	opts.For = gen.Target(target)
	if !slices.Contains(gen.Targets, opts.For) {
		return invalidEnum(cmd, genFlagFor, target, []string{string(gen.TargetVM), string(gen.TargetVMI)})
	}
	switch {
	case opts.Into != "" && (fl.Changed(flagOutput) || fl.Changed(genFlagFor)):
		return usageErrorf(cmd, "--%s keeps the file's format and kind: drop --%s and --%s", genFlagInto, flagOutput, genFlagFor)
	case opts.Into == "" && (fl.Changed(genFlagName) || opts.DryRun):
		return usageErrorf(cmd, "--%s and --%s need --%s", genFlagName, genFlagDryRun, genFlagInto)
	case opts.VM == "" && (fl.Changed(genFlagNamespace) || fl.Changed(genFlagImage)):
		return usageErrorf(cmd, "--%s and --%s need --%s", genFlagNamespace, genFlagImage, genFlagVM)
	case opts.VM != "" && opts.Output == string(gen.FormatPatch):
		return usageErrorf(cmd, "--%s writes a whole VM, which is not a patch: use -o yaml or -o json", genFlagVM)
	case opts.CloudInit && opts.VM == "" && opts.Into == "" && fl.Changed(flagOutput) && opts.Output != string(gen.FormatYAML):
		return usageErrorf(cmd, "--%s alone writes cloud-config, which is YAML: drop -o, or add --%s or --%s", genFlagCloudInit, genFlagVM, genFlagInto)
	case fl.Changed(genFlagGuestOS) && !opts.CloudInit && opts.VM == "":
		return usageErrorf(cmd, "--%s needs --%s or --%s", genFlagGuestOS, genFlagCloudInit, genFlagVM)
	}
	if runF != nil {
		return runF(opts)
	}
	return genRun(opts)
}

func genRun(opts *GenOptions) error {
	linter, err := opts.newLinter(nil)
	if err != nil {
		return err
	}
	opts.Request.Linter = linter
	if opts.Into != "" {
		return genInto(opts, linter)
	}
	s, err := gen.Build(opts.Request)
	if err != nil {
		return genError(opts, err)
	}
	var out []byte
	switch {
	case opts.VM != "":
		out, err = s.RenderVirtualMachine(gen.Format(opts.Output), gen.VMOptions{
			Name: opts.VM, Namespace: opts.Namespace, Target: opts.For, Image: opts.Image})
	case opts.CloudInit:
		out, err = s.CloudInit.Marshal()
	default:
		out, err = s.Render(gen.Format(opts.Output), opts.For)
	}
	if err != nil {
		return err
	}
	if _, err := opts.IO.Out.Write(out); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	writeAdvice(opts, s.Findings)
	return nil
}

// genInto merges into opts.Into, reading the architecture and port names
// the request needs from the file first.
func genInto(opts *GenOptions, linter *validate.Linter) error {
	data, err := validate.ReadInput(opts.Into, opts.IO.In)
	if err != nil {
		return fmt.Errorf("--%s: %w", genFlagInto, err)
	}
	info, err := os.Stat(opts.Into)
	if err != nil {
		return fmt.Errorf("--%s: %w", genFlagInto, validate.InputError{File: opts.Into, Err: err})
	}
	into := gen.IntoOptions{Name: opts.Name, File: opts.Into, Linter: linter}
	obj, err := gen.InspectFile(data, into)
	if err != nil {
		return err
	}
	req := opts.Request
	req.PortNumbers = obj.PortNumbers
	if req.Arch == "" {
		req.Arch = obj.Arch
	}
	s, err := gen.Build(req)
	if err != nil {
		return genError(opts, err)
	}
	res, err := s.MergeInto(data, into)
	if err != nil {
		return genError(opts, err)
	}
	if string(res.Data) == string(data) && !opts.DryRun {
		fmt.Fprintf(opts.IO.ErrOut, "vmhealth: %s in %s already has these health checks; nothing to change\n", res.Object, opts.Into)
		writeAdvice(opts, res.Findings)
		return nil
	}
	if opts.DryRun {
		if _, err := opts.IO.Out.Write(res.Data); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	} else if err := atomicfile.WriteFile(opts.Into, res.Data, info.Mode().Perm()); err != nil {
		return err
	}
	verb := "changed"
	if opts.DryRun {
		verb = "would change"
	}
	fmt.Fprintf(opts.IO.ErrOut, "vmhealth: %s %s in %s:\n", verb, res.Object, opts.Into)
	for _, c := range res.Changes {
		fmt.Fprintf(opts.IO.ErrOut, "  - %s\n", c)
	}
	writeAdvice(opts, res.Findings)
	return nil
}

// guestSideRules are the lint rules whose advice --cloud-init follows.
var guestSideRules = []string{"watchdog-guest-setup", "guest-agent-required"}

// writeAdvice shows lint's findings below error on what was written.
func writeAdvice(opts *GenOptions, findings []validate.Finding) {
	for _, f := range findings {
		hint := ""
		if !opts.CloudInit && slices.Contains(guestSideRules, f.RuleID) {
			hint = fmt.Sprintf(" (--%s writes this guest side)", genFlagCloudInit)
		}
		fmt.Fprintf(opts.IO.ErrOut, "vmhealth: %s: %s: %s [%s]%s\n", f.Severity, f.Field, f.Message, f.RuleID, hint)
	}
}

// genError shows why gen refused, naming the flags behind each field.
func genError(opts *GenOptions, err error) error {
	var inv *gen.InvalidError
	if !errors.As(err, &inv) {
		// Any other error is about what the flags ask for (a probe
		// spec, a watchdog action, an architecture): a usage error.
		return &usageError{err: err, cmd: opts.cmd}
	}
	for _, e := range inv.Errs {
		msg := e.Error()
		if flag := opts.setBy[strings.TrimPrefix(e.Field, "spec.template.spec.")]; flag != "" {
			msg += " (set by " + flag + ")"
		} else if strings.Contains(e.Field, "watchdog") {
			msg += fmt.Sprintf(" (see --%s and --%s)", genFlagWatchdogModel, flagArch)
		}
		fmt.Fprintf(opts.IO.ErrOut, "vmhealth: refusing to generate %s\n", msg)
	}
	for _, f := range inv.Findings {
		fmt.Fprintf(opts.IO.ErrOut, "vmhealth: refusing to generate %s: %s [%s]\n", f.Field, f.Message, f.RuleID)
	}
	return errSilent
}

// guestOSNames are the values of --guest-os.
func guestOSNames() []string {
	var out []string
	for _, g := range gen.GuestOSes {
		out = append(out, string(g))
	}
	return out
}
