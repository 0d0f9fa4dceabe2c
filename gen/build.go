package gen

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// DefaultWatchdogName is the name a watchdog gets when the request names
// none. KubeVirt accepts a watchdog without a name, but lint warns about it.
const DefaultWatchdogName = "watchdog"

// ProbeRequest asks for one probe: its handler and the settings written
// down. A nil setting is left out of the stanza, so KubeVirt's default
// applies.
type ProbeRequest struct {
	// Spec is the handler in the compact syntax of ParseProbeSpec, such as
	// "http:1500/healthz".
	Spec string
	// Headers are HTTP headers as "Name: value"; only an http or https
	// probe can have them.
	Headers []string
	// InitialDelaySeconds and the rest are the probe's fields of the same
	// name.
	InitialDelaySeconds *int32
	PeriodSeconds       *int32
	TimeoutSeconds      *int32
	FailureThreshold    *int32
	SuccessThreshold    *int32
}

// WatchdogRequest asks for a watchdog device.
type WatchdogRequest struct {
	// Action is what happens to a guest that stops feeding the watchdog:
	// poweroff, reset or shutdown.
	Action string
	// Model is i6300esb or diag288; empty picks the architecture's model.
	Model string
	// Name names the device; empty means DefaultWatchdogName.
	Name string
}

// Request says what to generate. At least one of Readiness, Liveness and
// Watchdog must be set.
type Request struct {
	Readiness *ProbeRequest
	Liveness  *ProbeRequest
	Watchdog  *WatchdogRequest
	// Arch is the VM's architecture (amd64, arm64 or s390x); empty means
	// amd64. It decides the watchdog model and whether there can be one.
	Arch string
	// PortNumbers gives the numbers of named probe ports, for the VM the
	// stanza goes into; names it lacks are looked up in WellKnownPorts.
	PortNumbers map[string]int32
	// CloudInit asks for the guest side as well (see Stanza.CloudConfig),
	// written for GuestOS (empty means Fedora).
	CloudInit bool
	GuestOS   GuestOS
	// Linter lints a minimal VM holding the stanza; nil means vmhealth's
	// rules with their defaults. A Linter built from a configuration file
	// makes Build accept what the file turns off.
	Linter *validate.Linter
}

// WellKnownPorts are the port names whose numbers vmhealth knows without
// being told, for declaring a named probe port on a generated VM.
var WellKnownPorts = map[string]int32{"ssh": 22, "http": 80, "https": 443}

// Stanza is what Build generates: the probes and the watchdog, checked.
type Stanza struct {
	Readiness *v1.Probe
	Liveness  *v1.Probe
	Watchdog  *v1.Watchdog
	// Arch is the architecture the stanza was built for; empty means amd64.
	Arch string
	// PortNumbers maps every named probe port to its number.
	PortNumbers map[string]int32
	// GuestOS is the operating system the guest side is written for, and
	// whose image a generated VM boots.
	GuestOS GuestOS
	// CloudInit is the guest side, when the request asked for it.
	CloudInit *CloudConfig
	// Findings are what lint says about a minimal VM holding the stanza
	// below the error severity: advice such as a liveness probe that can
	// end a slowly booting guest. Build never returns a stanza with an
	// error finding.
	Findings []validate.Finding
}

// InvalidError is a request that would give a stanza KubeVirt, Kubernetes
// or vmhealth's lint rejects. Errs are relative to the VMI spec
// (readinessProbe.periodSeconds), so callers can point at the setting
// responsible.
type InvalidError struct {
	Errs field.ErrorList
	// Findings are lint's error findings, when lint found what the probe
	// and watchdog checks did not.
	Findings []validate.Finding
}

func (e *InvalidError) Error() string {
	var msgs []string
	for _, err := range e.Errs {
		msgs = append(msgs, err.Error())
	}
	for _, f := range e.Findings {
		msgs = append(msgs, fmt.Sprintf("%s: %s [%s]", f.Field, f.Message, f.RuleID))
	}
	return "the stanza would not pass lint: " + strings.Join(msgs, "; ")
}

// ErrNothingRequested is returned by Build for an empty Request.
var ErrNothingRequested = errors.New("nothing to generate: ask for a readiness probe, a liveness probe or a watchdog")

// Build turns a request into a stanza and checks it twice: with
// probespec.ValidateVMISpec, whose errors name the field at fault, and by
// linting a minimal VirtualMachine holding it, so that no rule of vmhealth's
// lint can find an error in what gen writes. Problems with the request
// come back as an *InvalidError; a spec that does not parse, as a plain
// error.
func Build(req Request) (*Stanza, error) {
	if req.Readiness == nil && req.Liveness == nil && req.Watchdog == nil {
		return nil, ErrNothingRequested
	}
	if req.Arch != "" && !slices.Contains([]string{probespec.ArchAMD64, probespec.ArchARM64, probespec.ArchS390X}, req.Arch) {
		return nil, fmt.Errorf("unknown architecture %q: use amd64, arm64 or s390x", req.Arch)
	}
	s := &Stanza{Arch: req.Arch, PortNumbers: map[string]int32{}, GuestOS: req.GuestOS}
	if s.GuestOS == "" {
		s.GuestOS = GuestFedora
	}
	if !slices.Contains(GuestOSes, s.GuestOS) {
		return nil, fmt.Errorf("unknown guest OS %q", s.GuestOS)
	}
	var errs field.ErrorList
	var err error
	if s.Readiness, err = buildProbe(req.Readiness, field.NewPath("readinessProbe"), &errs); err != nil {
		return nil, fmt.Errorf("readiness %w", err)
	}
	if s.Liveness, err = buildProbe(req.Liveness, field.NewPath("livenessProbe"), &errs); err != nil {
		return nil, fmt.Errorf("liveness %w", err)
	}
	if len(errs) > 0 {
		return nil, &InvalidError{Errs: errs}
	}
	if s.Watchdog, err = buildWatchdog(req.Watchdog, req.Arch); err != nil {
		return nil, err
	}
	for _, name := range s.namedPorts() {
		n, ok := req.PortNumbers[name]
		if !ok {
			n, ok = WellKnownPorts[name]
		}
		if !ok {
			return nil, fmt.Errorf("port name %q: vmhealth does not know its number (it knows %s); probe the port by number, or merge --into a VM whose interface declares the name",
				name, knownPortList())
		}
		s.PortNumbers[name] = n
	}

	if req.CloudInit {
		if s.CloudInit, err = s.CloudConfig(s.GuestOS); err != nil {
			return nil, err
		}
	}
	verrs, findings, err := s.check(req.Linter)
	if err != nil {
		return nil, err
	}
	if len(verrs) > 0 {
		return nil, &InvalidError{Errs: verrs}
	}
	var bad []validate.Finding
	for _, f := range findings {
		if f.Severity >= validate.SeverityError && f.Suppressed == nil {
			bad = append(bad, f)
		} else if f.Suppressed == nil {
			s.Findings = append(s.Findings, f)
		}
	}
	if len(bad) > 0 {
		return nil, &InvalidError{Findings: bad}
	}
	return s, nil
}

func knownPortList() string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(WellKnownPorts)) {
		out = append(out, fmt.Sprintf("%s=%d", name, WellKnownPorts[name]))
	}
	return strings.Join(out, ", ")
}

// buildProbe parses the handler and applies the settings. Settings gen
// refuses are added to errs under fldPath; a handler or header that does
// not parse is returned as an error.
func buildProbe(r *ProbeRequest, fldPath *field.Path, errs *field.ErrorList) (*v1.Probe, error) {
	if r == nil {
		return nil, nil
	}
	p, err := ParseProbeSpec(r.Spec)
	if err != nil {
		return nil, err
	}
	if len(r.Headers) > 0 && p.HTTPGet == nil {
		return nil, fmt.Errorf("probe %q: headers need an http or https probe", r.Spec)
	}
	for _, h := range r.Headers {
		hd, err := ParseHeader(h)
		if err != nil {
			return nil, err
		}
		p.HTTPGet.HTTPHeaders = append(p.HTTPGet.HTTPHeaders, hd)
	}
	set := func(dst *int32, v *int32) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.InitialDelaySeconds, r.InitialDelaySeconds)
	set(&p.PeriodSeconds, r.PeriodSeconds)
	set(&p.TimeoutSeconds, r.TimeoutSeconds)
	set(&p.FailureThreshold, r.FailureThreshold)
	set(&p.SuccessThreshold, r.SuccessThreshold)
	// A written value below 1 is not an error to KubeVirt: it silently
	// becomes the default. gen refuses it rather than write a value that
	// means something else than it says.
	for _, f := range []struct {
		name string
		v    *int32
	}{{"periodSeconds", r.PeriodSeconds}, {"timeoutSeconds", r.TimeoutSeconds},
		{"failureThreshold", r.FailureThreshold}, {"successThreshold", r.SuccessThreshold}} {
		if f.v != nil && *f.v < 1 {
			*errs = append(*errs, field.Invalid(fldPath.Child(f.name), *f.v, "must be 1 or more; KubeVirt replaces a smaller value by its default"))
		}
	}
	return p, nil
}

func buildWatchdog(r *WatchdogRequest, arch string) (*v1.Watchdog, error) {
	if r == nil {
		return nil, nil
	}
	action, err := probespec.ParseWatchdogAction(r.Action)
	if err != nil {
		return nil, fmt.Errorf("watchdog: %w", err)
	}
	model := r.Model
	switch model {
	case "":
		if arch == probespec.ArchS390X {
			model = probespec.ModelDiag288
		} else {
			model = probespec.ModelI6300ESB
		}
	case probespec.ModelI6300ESB, probespec.ModelDiag288:
	default:
		return nil, fmt.Errorf("watchdog: unknown model %q: use %s (amd64) or %s (s390x)", model, probespec.ModelI6300ESB, probespec.ModelDiag288)
	}
	name := r.Name
	if name == "" {
		name = DefaultWatchdogName
	}
	return probespec.Watchdog(name).Model(model).Action(action).Build(), nil
}

// namedPorts returns the port names the probes use, without duplicates.
func (s *Stanza) namedPorts() []string {
	var names []string
	for _, p := range []*v1.Probe{s.Readiness, s.Liveness} {
		if name := probePortName(p); name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}
