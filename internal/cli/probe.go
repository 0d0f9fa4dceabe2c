package cli

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/prober"
	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// Flags of probe.
const (
	flagProbe         = "probe"
	flagAddress       = "address"
	flagQGA           = "qga"
	flagKubeVirtDelay = "kubevirt-delay"
	flagOnce          = "once"
	flagRounds        = "rounds"
	flagDuration      = "duration"
)

var (
	probeFormats = []string{"text", "json"}
	probeTypes   = []string{"all", prober.Readiness, prober.Liveness}
)

// errProbeFailed ends a probe run whose verdict is a failure; the timeline
// has said why.
var errProbeFailed = errors.New("a probe failed")

// ProbeOptions hold the dependencies and flags of probe.
type ProbeOptions struct {
	IO *IOStreams
	// Clock schedules the attempts; nil means the wall clock.
	Clock prober.Clock
	// UserAgent is what httpGet probes send as the kubelet would.
	UserAgent string
	// Input is the manifest, or "-" for standard input.
	Input string
	// Name picks the object when the input holds several with probes.
	Name string
	// Probe is all, readiness or liveness.
	Probe string
	// Address is host or host:port; Host and Port are parsed from it.
	Address string
	Host    string
	Port    int
	// QGA is unix:PATH; QGANetwork and QGAAddr are parsed from it.
	QGA        string
	QGANetwork string
	QGAAddr    string
	// KubeVirtDelay adds the 10 s virt-launcher adds to initialDelaySeconds.
	KubeVirtDelay bool
	Once          bool
	Rounds        int
	Duration      time.Duration
	// Output is text or json.
	Output string
}

// NewCmdProbe builds the probe command. runF replaces probeRun in tests.
func NewCmdProbe(f *Factory, runF func(*ProbeOptions) error) *cobra.Command {
	opts := &ProbeOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "probe [flags] file | -",
		Short: "Run a VM's readiness and liveness probes against a live target, as the kubelet would",
		Long: `Run the readiness and liveness probes of the VirtualMachine or VMI in the
file against a live target, the way the kubelet and KubeVirt run them:
httpGet (any status from 200 to 399 is a success; redirects followed to the
same host name, up to 10; a redirect to another host is a success with a
warning; User-Agent kube-probe/<version>, Accept */*, the probe's headers
and Host; HTTPS without checking the certificate; 10 KiB of body read) and
tcpSocket to --address; exec and guestAgentPing through qemu-guest-agent at
--qga, as virt-probe reaches the guest (guest-exec, exit status 0 is a
success; guest-ping). Each attempt waits up to timeoutSeconds.

The schedule is the kubelet's: ticks every periodSeconds from the start,
none before initialDelaySeconds (plus the 10 s KubeVirt adds, unless
--kubevirt-delay=false); the VMI turns Ready after successThreshold
successes in a row and NotReady after failureThreshold failures; liveness
ends the VMI after failureThreshold failures in a row, which ends the run.
--once makes one attempt of each probe at once, without delays.

Output: a timeline of attempts (time, probe, result, latency, what was
seen), transitions and the verdict; -o json writes one JSON object an event
a line (see docs/probe.md).

Exit status: 0 when every attempt of --once succeeded, or the run ended
Ready and alive; 1 when a probe failed, the VMI would be NotReady, or
liveness would have ended it; 2 for a usage or input error.`,
		Example: `  # Forward the guest's probe port, then probe it as the kubelet would
  virtctl port-forward vm/web 1500 &
  vmhealth probe vm.yaml --address 127.0.0.1

  # The probe port is forwarded to another local port
  virtctl port-forward vm/web 8080:1500 &
  vmhealth probe vm.yaml --address 127.0.0.1:8080 --probe readiness

  # exec and guestAgentPing probes through qemu-guest-agent's socket
  vmhealth probe vm.yaml --qga unix:/run/vm/qga.sock --once

  # One attempt each, for a program
  vmhealth probe vm.yaml --address 127.0.0.1:1500 --once -o json

  # Watch a minute of the real schedule, without KubeVirt's extra 10 s
  vmhealth probe vm.yaml --address 127.0.0.1 --duration 1m --kubevirt-delay=false`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf(cmd, "probe reads one file, or - for standard input; got %d arguments", len(args))
			}
			opts.Input = args[0]
			if !slices.Contains(probeFormats, opts.Output) {
				return invalidEnum(cmd, flagOutput, opts.Output, probeFormats)
			}
			if !slices.Contains(probeTypes, opts.Probe) {
				return invalidEnum(cmd, flagProbe, opts.Probe, probeTypes)
			}
			if opts.Rounds < 0 {
				return usageErrorf(cmd, "invalid --%s %d: must be 0 (no bound) or more", flagRounds, opts.Rounds)
			}
			if opts.Duration < 0 {
				return usageErrorf(cmd, "invalid --%s %v: must be 0 (no bound) or more", flagDuration, opts.Duration)
			}
			if opts.Address != "" {
				host, port, err := parseAddress(opts.Address)
				if err != nil {
					return usageErrorf(cmd, "invalid --%s %q: %v", flagAddress, opts.Address, err)
				}
				opts.Host, opts.Port = host, port
			}
			if opts.QGA != "" {
				network, addr, ok := strings.Cut(opts.QGA, ":")
				if !ok || addr == "" || (network != "unix" && network != "tcp") {
					return usageErrorf(cmd, "invalid --%s %q: want unix:PATH (or tcp:HOST:PORT)", flagQGA, opts.QGA)
				}
				opts.QGANetwork, opts.QGAAddr = network, addr
			}
			if runF != nil {
				return runF(opts)
			}
			return probeRun(opts, cmd)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Probe, flagProbe, "all", "which probes to run: all, readiness or liveness")
	fl.StringVar(&opts.Address, flagAddress, "", "host[:port] that httpGet and tcpSocket probes connect to instead of the pod IP; a port replaces the probe's")
	fl.StringVar(&opts.QGA, flagQGA, "", "qemu-guest-agent socket for exec and guestAgentPing probes, as unix:PATH")
	fl.StringVar(&opts.Name, flagName, "", "the object to probe, as NAME or KIND/NAME, when the file holds several")
	fl.BoolVar(&opts.KubeVirtDelay, flagKubeVirtDelay, true, "add the 10 s KubeVirt adds to initialDelaySeconds")
	fl.BoolVar(&opts.Once, flagOnce, false, "one attempt of each probe at once, without delays")
	fl.IntVar(&opts.Rounds, flagRounds, 0, "stop after this many attempts of each probe (0: no bound)")
	fl.DurationVar(&opts.Duration, flagDuration, 0, "stop when no attempt is due within this time from the start (0: no bound)")
	fl.StringVarP(&opts.Output, flagOutput, "o", "text", "output format: text or json (one event a line)")
	cmd.MarkFlagsMutuallyExclusive(flagOnce, flagRounds)
	cmd.MarkFlagsMutuallyExclusive(flagOnce, flagDuration)
	_ = cmd.RegisterFlagCompletionFunc(flagOutput, cobra.FixedCompletions(probeFormats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagProbe, cobra.FixedCompletions(probeTypes, cobra.ShellCompDirectiveNoFileComp))
	opts.UserAgent = kubeProbeUserAgent(f)
	return cmd
}

// parseAddress reads host or host:port; [::1] and ::1 are hosts too.
func parseAddress(s string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		// No port: the whole is the host.
		host = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		if host == "" || strings.ContainsAny(host, "[]/ ") {
			return "", 0, errors.New("want host or host:port")
		}
		return host, 0, nil
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 1 to 65535", portStr)
	}
	if host == "" {
		return "", 0, errors.New("no host before the port")
	}
	return host, port, nil
}

func probeRun(opts *ProbeOptions, cmd *cobra.Command) error {
	// Input errors are not usage errors: say them without pointing at --help.
	inputError := func(err error) error {
		fmt.Fprintf(opts.IO.ErrOut, "vmhealth: %v\n", err)
		return errSilent
	}
	data, err := validate.ReadInput(opts.Input, opts.IO.In)
	if err != nil {
		return inputError(err)
	}
	obj, err := probeObject(opts, data)
	if err != nil {
		return inputError(err)
	}
	target := prober.Target{Host: opts.Host, Port: opts.Port, UserAgent: opts.UserAgent}
	if opts.QGAAddr != "" {
		target.Agent = &prober.Agent{Network: opts.QGANetwork, Addr: opts.QGAAddr}
		defer target.Agent.Close()
	}
	var probes []*prober.Probe
	for _, p := range []struct {
		typ   string
		probe *v1.Probe
	}{{prober.Readiness, obj.Spec.ReadinessProbe}, {prober.Liveness, obj.Spec.LivenessProbe}} {
		if p.probe == nil || (opts.Probe != "all" && opts.Probe != p.typ) {
			continue
		}
		pr, err := prober.NewProbe(p.typ, p.probe, target, opts.KubeVirtDelay)
		switch {
		case errors.Is(err, prober.ErrNoHost):
			return usageErrorf(cmd, "the %s probe (%s) connects to the VM: give --%s host[:port]", p.typ, probespec.HandlerName(p.probe), flagAddress)
		case errors.Is(err, prober.ErrNoAgent):
			return usageErrorf(cmd, "the %s probe (%s) runs through qemu-guest-agent: give --%s unix:PATH", p.typ, probespec.HandlerName(p.probe), flagQGA)
		case err != nil:
			return inputError(fmt.Errorf("%s: %s/%s: %w", opts.Input, obj.Ref.Kind, obj.Ref.Name, err))
		}
		probes = append(probes, pr)
	}
	if len(probes) == 0 {
		return inputError(fmt.Errorf("%s: %s/%s has no %s probe", opts.Input, obj.Ref.Kind, obj.Ref.Name, opts.Probe))
	}
	w := newProbeWriter(opts, obj)
	sum, err := prober.Run(cmd.Context(), probes, prober.Options{Clock: opts.Clock, Once: opts.Once, Rounds: opts.Rounds, Duration: opts.Duration}, w.event)
	if w.err != nil {
		return fmt.Errorf("writing output: %w", w.err)
	}
	if err != nil {
		return err
	}
	if !sum.OK {
		return errProbeFailed
	}
	return nil
}

// probeObject loads the input with lint's loader and picks the object to
// probe: the only one with probes, or the one --name names.
func probeObject(opts *ProbeOptions, data []byte) (*validate.Object, error) {
	objs, findings, _ := validate.MustNew(validate.Options{}).Load(opts.Input, data) // only the loader: objects and syntax errors
	var withProbes, named []*validate.Object
	for _, o := range objs {
		if o.Spec == nil || (o.Spec.ReadinessProbe == nil && o.Spec.LivenessProbe == nil) {
			continue
		}
		withProbes = append(withProbes, o)
		if opts.Name == o.Ref.Name || opts.Name == o.Ref.Kind+"/"+o.Ref.Name {
			named = append(named, o)
		}
	}
	if len(withProbes) == 0 {
		for _, f := range findings {
			if f.RuleID == validate.YAMLSyntaxRuleID {
				return nil, fmt.Errorf("%s: %s", f.Location(), f.Message)
			}
		}
		return nil, fmt.Errorf("%s: no VirtualMachine or VMI with a readiness or liveness probe", opts.Input)
	}
	candidates := withProbes
	if opts.Name != "" {
		candidates = named
	}
	switch len(candidates) {
	case 0:
		return nil, fmt.Errorf("%s: no object called %q has probes (there are: %s)", opts.Input, opts.Name, refs(withProbes))
	case 1:
	default:
		return nil, fmt.Errorf("%s: %d objects have probes (%s): pick one with --%s", opts.Input, len(candidates), refs(candidates), flagName)
	}
	obj := candidates[0]
	// Errors lint finds in the probes themselves change what KubeVirt would
	// run, or make it refuse the VM: say so before running them.
	for _, f := range findings {
		if f.Severity == validate.SeverityError && f.Document == obj.Document && f.Object == obj.Ref &&
			(strings.Contains(f.Field, "readinessProbe") || strings.Contains(f.Field, "livenessProbe")) {
			fmt.Fprintf(opts.IO.ErrOut, "vmhealth: warning: %s: %s [%s]\n", f.Location(), f.Message, f.RuleID)
		}
	}
	return obj, nil
}

func refs(objs []*validate.Object) string {
	s := make([]string, len(objs))
	for i, o := range objs {
		s[i] = o.Ref.Kind + "/" + o.Ref.Name
	}
	return strings.Join(s, ", ")
}
