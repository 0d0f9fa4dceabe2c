// Package explain says what the health checks of a KubeVirt VM really do:
// for each readiness and liveness probe, the values as written, as KubeVirt
// defaults them and as the kubelet runs them on the virt-launcher pod, and
// what follows in seconds and in words (when the first probe runs, when the
// VM can be Ready, how long a hung guest goes unnoticed, what happens
// then); for the watchdog, its model, its action and what the guest must
// run for it to do anything.
//
// The numbers come from probespec.EffectiveProbe; the findings of
// vmhealth's lint on the same objects come along, so one command shows both
// what the checks do and what is wrong with them.
package explain

import (
	"fmt"
	"strings"

	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// Options tune an explanation.
type Options struct {
	// Architecture is assumed for objects that set no spec.architecture;
	// it decides the default watchdog model. Empty means amd64.
	Architecture string
	// MinBootSeconds is how long a guest is assumed to need to boot, to
	// tell whether a liveness probe can end it while it boots; 0 means
	// probespec.DefaultMinBootSeconds.
	MinBootSeconds int
	// Linter reads and lints the input; its architecture and boot time
	// replace the two above. Nil means a Linter of vmhealth's rules with
	// those two.
	Linter *validate.Linter
}

// Report is the explanation of one input.
type Report struct {
	File    string    `json:"file"`
	Objects []*Object `json:"objects"`
	// Findings are lint's findings that belong to no object, such as a
	// YAML syntax error.
	Findings []validate.Finding `json:"findings"`
}

// Object is one KubeVirt object and its health checks.
type Object struct {
	Ref validate.ObjectRef `json:"object"`
	// Document is the 0-based index of the YAML document, Line the line
	// where the object starts.
	Document int `json:"document"`
	Line     int `json:"line"`
	// RunStrategy is a VirtualMachine's, which decides what follows when
	// its VMI ends.
	RunStrategy string    `json:"runStrategy,omitempty"`
	Probes      []*Probe  `json:"probes"`
	Watchdog    *Watchdog `json:"watchdog,omitempty"`
	// Findings are lint's findings on the object.
	Findings []validate.Finding `json:"findings"`
	// Error says why the object's spec could not be read.
	Error string `json:"error,omitempty"`
}

// Values are the settings of a probe. In Written a nil field was not
// written; in Defaulted and Kubelet every field is set.
type Values struct {
	InitialDelaySeconds *int32 `json:"initialDelaySeconds"`
	PeriodSeconds       *int32 `json:"periodSeconds"`
	TimeoutSeconds      *int32 `json:"timeoutSeconds"`
	SuccessThreshold    *int32 `json:"successThreshold"`
	FailureThreshold    *int32 `json:"failureThreshold"`
}

// Probe explains one readiness or liveness probe.
type Probe struct {
	// Type is "readiness" or "liveness".
	Type string `json:"type"`
	// Field is the probe's path in the object.
	Field string `json:"field"`
	// Handler is httpGet, tcpSocket, exec or guestAgentPing.
	Handler string `json:"handler"`
	// Action says what one probe does, as "GET http://<pod IP>:1500/healthz".
	Action string `json:"action"`
	// Written, Defaulted and Kubelet are the values in the manifest, after
	// KubeVirt's defaults, and on the virt-launcher pod.
	Written   Values `json:"written"`
	Defaulted Values `json:"defaulted"`
	Kubelet   Values `json:"kubelet"`
	Timing    Timing `json:"timing"`
	// Consequences say in words what the numbers mean, one sentence each.
	Consequences []string `json:"consequences"`
}

// Timing holds the consequences in seconds, counted from the start of the
// virt-launcher pod's compute container (for detection, from the moment
// the guest hangs).
type Timing struct {
	FirstProbeSeconds int `json:"firstProbeSeconds"`
	// EarliestSuccessSeconds is when the probe can first succeed: for
	// readiness, the earliest the VMI is Ready.
	EarliestSuccessSeconds int `json:"earliestSuccessSeconds"`
	// HangDetected bounds how long after the guest hangs the probe fails.
	HangDetectedMinSeconds int `json:"hangDetectedMinSeconds"`
	HangDetectedMaxSeconds int `json:"hangDetectedMaxSeconds"`
	// RefusedDetected bounds the same for a guest that answers at once
	// with an error or a refused connection, so no probe waits for its
	// timeout.
	RefusedDetectedMinSeconds int `json:"refusedDetectedMinSeconds"`
	RefusedDetectedMaxSeconds int `json:"refusedDetectedMaxSeconds"`
	// RecoverAfter bounds how long after the guest answers again the probe
	// succeeds (readiness only).
	RecoverMinSeconds int `json:"recoverMinSeconds,omitempty"`
	RecoverMaxSeconds int `json:"recoverMaxSeconds,omitempty"`
	// EarliestKillSeconds is the earliest a liveness probe can end a
	// guest that never answers, such as one still booting (liveness only).
	EarliestKillSeconds int `json:"earliestKillSeconds,omitempty"`
}

// Watchdog explains the watchdog device.
type Watchdog struct {
	Field string `json:"field"`
	Name  string `json:"name"`
	// Model and Action are as KubeVirt completes them; ModelWritten and
	// ActionWritten say whether the manifest set them.
	Model         string `json:"model"`
	ModelWritten  bool   `json:"modelWritten"`
	Action        string `json:"action"`
	ActionWritten bool   `json:"actionWritten"`
	// Effect says what the action does to the VM.
	Effect string `json:"effect"`
	// Guest says what must run in the guest for the device to do anything.
	Guest string `json:"guest"`
	// GuestSetUp is whether the VM's inline cloud-init user data sets up
	// the watchdog daemon, as the watchdog-guest-setup rule reads it.
	GuestSetUp bool `json:"guestSetUp"`
}

// File explains the objects in data, read from the file called name, and
// attaches lint's findings to them. Objects are read by validate's loader,
// so explain sees exactly what lint sees: Lists, OpenShift Templates and
// documentation snippets included.
func File(name string, data []byte, opts Options) *Report {
	r := &Report{File: name, Objects: []*Object{}, Findings: []validate.Finding{}}
	linter := opts.Linter
	if linter == nil {
		var err error
		vo := validate.Options{Architecture: opts.Architecture}
		if opts.MinBootSeconds > 0 {
			vo.RuleParams = map[string]map[string]int{validate.LivenessBootRuleID: {validate.MinBootSecondsParam: opts.MinBootSeconds}}
		}
		if linter, err = validate.New(vo); err != nil {
			r.Findings = append(r.Findings, validate.Finding{RuleID: validate.InternalErrorRuleID, Severity: validate.SeverityError,
				File: name, Message: fmt.Sprintf("explain: %v", err)})
			return r
		}
	}
	opts.Architecture = linter.Options().Architecture
	opts.MinBootSeconds = linter.Params(validate.LivenessBootRuleID).Int(validate.MinBootSecondsParam)
	objs, findings, _ := linter.Objects(name, data)
	placed := make([]bool, len(findings))
	for _, obj := range objs {
		o := explainObject(obj, opts)
		for i, f := range findings {
			if f.Document == obj.Document && f.Object.Path == obj.Ref.Path && f.Object.Kind == obj.Ref.Kind && f.Object.Name == obj.Ref.Name {
				o.Findings = append(o.Findings, f)
				placed[i] = true
			}
		}
		r.Objects = append(r.Objects, o)
	}
	for i, f := range findings {
		if !placed[i] {
			r.Findings = append(r.Findings, f)
		}
	}
	return r
}

// runStrategy reads a VM's spec.runStrategy, or its older spec.running;
// empty for other kinds.
func runStrategy(obj *validate.Object) string {
	vm, ok := obj.Typed.(*v1.VirtualMachine)
	if !ok {
		return ""
	}
	switch {
	case vm.Spec.RunStrategy != nil:
		return string(*vm.Spec.RunStrategy)
	case vm.Spec.Running != nil && *vm.Spec.Running:
		return string(v1.RunStrategyAlways)
	case vm.Spec.Running != nil:
		return string(v1.RunStrategyHalted)
	}
	return ""
}

func explainObject(obj *validate.Object, opts Options) *Object {
	line, _ := obj.Position("")
	o := &Object{Ref: obj.Ref, Document: obj.Document, Line: line, RunStrategy: runStrategy(obj),
		Probes: []*Probe{}, Findings: []validate.Finding{}}
	spec := obj.Spec
	if spec == nil {
		return o
	}
	specPath := obj.SpecPath.String()
	minBoot := opts.MinBootSeconds
	if minBoot <= 0 {
		minBoot = probespec.DefaultMinBootSeconds
	}
	for _, p := range []struct {
		typ, key string
		probe    *v1.Probe
	}{{"readiness", "readinessProbe", spec.ReadinessProbe}, {"liveness", "livenessProbe", spec.LivenessProbe}} {
		if p.probe == nil {
			continue
		}
		path := specPath + "." + p.key
		isWritten := func(name string) bool { return obj.Written(path + "." + name) }
		o.Probes = append(o.Probes, explainProbe(p.typ, path, p.probe, isWritten, o, minBoot))
	}
	if w := spec.Domain.Devices.Watchdog; w != nil {
		arch := spec.Architecture
		if arch == "" {
			arch = opts.Architecture
		}
		o.Watchdog = explainWatchdog(w, specPath+"."+strings.Join(kubevirtkinds.WatchdogPath, "."), arch, o, obj.UserDataSetsUp("watchdog"))
	}
	return o
}

// written reads which settings the manifest sets.
func written(p *v1.Probe, isWritten func(name string) bool) Values {
	var v Values
	if isWritten("initialDelaySeconds") {
		v.InitialDelaySeconds = ptr(p.InitialDelaySeconds)
	}
	if isWritten("periodSeconds") {
		v.PeriodSeconds = ptr(p.PeriodSeconds)
	}
	if isWritten("timeoutSeconds") {
		v.TimeoutSeconds = ptr(p.TimeoutSeconds)
	}
	if isWritten("successThreshold") {
		v.SuccessThreshold = ptr(p.SuccessThreshold)
	}
	if isWritten("failureThreshold") {
		v.FailureThreshold = ptr(p.FailureThreshold)
	}
	return v
}

func ptr(n int32) *int32 { return &n }

func values(p *v1.Probe) Values {
	return Values{ptr(p.InitialDelaySeconds), ptr(p.PeriodSeconds), ptr(p.TimeoutSeconds), ptr(p.SuccessThreshold), ptr(p.FailureThreshold)}
}

func explainProbe(typ, fieldPath string, p *v1.Probe, isWritten func(string) bool, o *Object, minBoot int) *Probe {
	eff := probespec.EffectiveProbe(p)
	out := &Probe{
		Type:      typ,
		Field:     fieldPath,
		Handler:   probespec.HandlerName(p),
		Action:    action(p, eff),
		Written:   written(p, isWritten),
		Defaulted: values(probespec.Defaulted(p)),
		Kubelet: Values{ptr(eff.InitialDelaySeconds), ptr(eff.PeriodSeconds), ptr(eff.TimeoutSeconds),
			ptr(eff.SuccessThreshold), ptr(eff.FailureThreshold)},
	}
	if hs := probespec.Handlers(p); len(hs) != 1 {
		out.Handler = strings.Join(hs, " and ")
		out.Action = "nothing: a probe needs exactly one handler"
		out.Consequences = append(out.Consequences, "This probe does not have exactly one handler, so KubeVirt rejects the VM; see the findings below.")
		return out
	}
	if why := launcherRejects(p, typ == "liveness"); why != "" {
		out.Action = "nothing: Kubernetes rejects the virt-launcher pod"
		out.Consequences = append(out.Consequences, "KubeVirt accepts the VM, but "+why+
			", so Kubernetes rejects the virt-launcher pod and the VM never starts: no probe ever runs; see the findings below.")
		return out
	}
	t := &out.Timing
	t.FirstProbeSeconds = secs(eff.FirstProbeAfter())
	t.EarliestSuccessSeconds = secs(eff.EarliestSuccessAfter())
	lo, hi := eff.FailureDetection()
	t.HangDetectedMinSeconds, t.HangDetectedMaxSeconds = secs(lo), secs(hi)
	period, timeout := int(eff.PeriodSeconds), int(eff.TimeoutSeconds)
	failures, successes := int(eff.FailureThreshold), int(eff.SuccessThreshold)
	t.RefusedDetectedMinSeconds = (failures - 1) * period
	t.RefusedDetectedMaxSeconds = failures * period
	if typ == "liveness" {
		t.EarliestKillSeconds = secs(eff.EarliestLivenessKill())
	} else {
		t.RecoverMinSeconds = (successes - 1) * period
		t.RecoverMaxSeconds = successes * period
	}

	say := func(format string, args ...any) {
		out.Consequences = append(out.Consequences, fmt.Sprintf(format, args...))
	}
	delayWhy := fmt.Sprintf("initialDelaySeconds %d + %d s that KubeVirt adds for the domain to start", p.InitialDelaySeconds, probespec.LauncherInitialDelayOffset)
	say("The kubelet sends the first probe %d s after the virt-launcher pod starts (%s), then one every %d s.", t.FirstProbeSeconds, delayWhy, period)
	if eff.Handler == probespec.HandlerExec || eff.Handler == probespec.HandlerGuestAgentPing {
		say("Each probe waits up to %d s (timeoutSeconds %d + %d s that KubeVirt adds for virt-probe and qemu-guest-agent); the guest must run qemu-guest-agent or every probe fails.",
			timeout, eff.TimeoutSeconds-probespec.GuestExecTimeoutOffset, probespec.GuestExecTimeoutOffset)
	}
	hang := fmt.Sprintf("%d–%d s", t.HangDetectedMinSeconds, t.HangDetectedMaxSeconds)
	refused := fmt.Sprintf("%d–%d s", t.RefusedDetectedMinSeconds, t.RefusedDetectedMaxSeconds)
	if typ == "readiness" {
		if successes > 1 {
			say("The VMI is Ready, and in the endpoints of the Services that select it, %d s after start at the soonest (%d successes in a row, %d s apart).", t.EarliestSuccessSeconds, successes, period)
		} else {
			say("The VMI is Ready, and in the endpoints of the Services that select it, %d s after start at the soonest: the first probe that succeeds.", t.EarliestSuccessSeconds)
		}
		say("A hung guest is noticed after %s (%d failed probes, %d s apart, each waiting %d s); a guest that refuses at once, after %s. Then the VMI is not Ready and is removed from the endpoints; the VM keeps running.",
			hang, failures, period, timeout, refused)
		if successes == 1 {
			say("Once the guest answers again, the next probe puts the VMI back in the endpoints, within %d s.", t.RecoverMaxSeconds)
		} else {
			say("Once the guest answers again, the VMI is back in the endpoints after %d–%d s (%d successes in a row).",
				t.RecoverMinSeconds, t.RecoverMaxSeconds, successes)
		}
	} else {
		say("A hung guest is noticed after %s (%d failed probes, %d s apart, each waiting %d s); a guest that refuses at once, after %s. Then the kubelet kills the compute container and the VMI ends: %s",
			hang, failures, period, timeout, refused, afterVMIEnds(o))
		kill := t.EarliestKillSeconds
		boot := fmt.Sprintf("A guest that has not answered %d s after start is ended in the same way: it has that long to boot and start serving the probe.", kill)
		if kill < minBoot {
			boot += fmt.Sprintf(" That is less than the %d s a guest is assumed to need: a slow boot is killed", minBoot)
			if restarts(o) {
				boot += " and started again into the same race, over and over."
			} else {
				boot += "."
			}
		}
		say("%s", boot)
	}
	if eff.Handler == probespec.HandlerGuestAgentPing {
		say("KubeVirt does not count failures of a guestAgentPing probe while the VM is migrating or paused on purpose.")
	}
	return out
}

// restarts reports whether a VMI that ends is replaced by a new one.
func restarts(o *Object) bool {
	switch o.Ref.Kind {
	case kubevirtkinds.VirtualMachineInstanceReplicaSet.Kind, kubevirtkinds.VirtualMachinePool.Kind:
		return true
	case kubevirtkinds.VirtualMachine.Kind, validate.FragmentKind:
		return o.RunStrategy == string(v1.RunStrategyAlways) || o.RunStrategy == string(v1.RunStrategyRerunOnFailure)
	}
	return false
}

// afterVMIEnds says what follows when a VMI ends, from the object's kind
// and run strategy.
func afterVMIEnds(o *Object) string {
	switch o.Ref.Kind {
	case kubevirtkinds.VirtualMachineInstance.Kind:
		return "a VMI without a VM is gone for good; nothing starts it again."
	case kubevirtkinds.VirtualMachineInstanceReplicaSet.Kind:
		return "the ReplicaSet starts a new VMI in its place."
	case kubevirtkinds.VirtualMachinePool.Kind:
		return "the pool's VM starts it again, as its runStrategy says."
	}
	rs := o.RunStrategy
	switch v1.VirtualMachineRunStrategy(rs) {
	case v1.RunStrategyAlways:
		return "with runStrategy Always, KubeVirt starts a new VMI at once, which boots the guest from scratch."
	case v1.RunStrategyRerunOnFailure:
		return "with runStrategy RerunOnFailure, KubeVirt starts a new VMI, as this one failed."
	case v1.RunStrategyManual:
		return "with runStrategy Manual, the VM stays stopped until someone starts it."
	case v1.RunStrategyOnce:
		return "with runStrategy Once, the VM stays stopped."
	case v1.RunStrategyHalted:
		return "the VM's runStrategy Halted keeps it stopped (once started by hand, its VMI would end and stay ended)."
	case "":
		return "the VM's runStrategy decides what follows (none is written here)."
	}
	return fmt.Sprintf("the VM's runStrategy %s decides what follows.", rs)
}

// action describes one probe as the kubelet or KubeVirt runs it.
func action(p *v1.Probe, eff probespec.Effective) string {
	switch {
	case p.HTTPGet != nil:
		host := "<pod IP>"
		if p.HTTPGet.Host != "" {
			host = p.HTTPGet.Host
		}
		s := fmt.Sprintf("GET %s://%s:%s%s", strings.ToLower(eff.HTTPScheme), host, p.HTTPGet.Port.String(), eff.HTTPPath)
		for _, h := range p.HTTPGet.HTTPHeaders {
			s += fmt.Sprintf(" with %s: %s", h.Name, h.Value)
		}
		return s + "; any status from 200 to 399 is a success"
	case p.TCPSocket != nil:
		host := "the pod IP"
		if p.TCPSocket.Host != "" {
			host = p.TCPSocket.Host
		}
		return fmt.Sprintf("open a TCP connection to port %s of %s", p.TCPSocket.Port.String(), host)
	case p.Exec != nil:
		return fmt.Sprintf("run %q in the guest through qemu-guest-agent; exit status 0 is a success", strings.Join(p.Exec.Command, " "))
	case p.GuestAgentPing != nil:
		return "ping qemu-guest-agent in the guest"
	}
	return "nothing (no handler)"
}

func secs(d interface{ Seconds() float64 }) int { return int(d.Seconds()) }

// explainWatchdog says what the watchdog does and what the guest needs.
func explainWatchdog(w *v1.Watchdog, fieldPath, arch string, o *Object, setUp bool) *Watchdog {
	d := probespec.WatchdogDefaulted(w, arch)
	out := &Watchdog{Field: fieldPath, Name: w.Name, Model: probespec.WatchdogModel(d),
		ModelWritten: probespec.WatchdogModel(w) != "", GuestSetUp: setUp}
	var act v1.WatchdogAction
	switch {
	case d.I6300ESB != nil:
		act = d.I6300ESB.Action
	case d.Diag288 != nil:
		act = d.Diag288.Action
	}
	out.Action = string(act)
	out.ActionWritten = (w.I6300ESB != nil && w.I6300ESB.Action != "") || (w.Diag288 != nil && w.Diag288.Action != "")
	switch act {
	case v1.WatchdogActionPoweroff:
		out.Effect = "QEMU powers the VM off, as if pulling the plug: the VMI ends, and " + afterVMIEnds(o)
	case v1.WatchdogActionReset:
		out.Effect = "QEMU resets the guest in place, like the reset button: same VMI, same pod and IP, and the guest boots again."
	case v1.WatchdogActionShutdown:
		out.Effect = "the guest is asked to shut down, as by the power button (ACPI); a guest hung badly enough to stop feeding the watchdog may well ignore it, so prefer reset or poweroff."
	case "pause":
		out.Effect = "QEMU pauses the guest, which stays hung; nothing recovers it."
	case "none":
		out.Effect = "nothing happens; the watchdog is only a decoration."
	default:
		out.Effect = fmt.Sprintf("libvirt does not know action %q: the VM fails to start.", act)
		if sug := probespec.SuggestWatchdogAction(string(act)); sug != "" {
			out.Effect += fmt.Sprintf(" Did you mean %q?", sug)
		}
	}
	if out.Model == "" {
		out.Effect = fmt.Sprintf("there is no watchdog model for %s: KubeVirt rejects the VMI.", arch)
	}
	out.Guest = "The device does nothing until a program in the guest opens /dev/watchdog, and from then on fires unless that program keeps writing to it " +
		"(the watchdog daemon's default timeout is 60 s). In a Linux guest: install the watchdog package, set watchdog-device = /dev/watchdog in /etc/watchdog.conf " +
		"and run systemctl enable --now watchdog.service (vmhealth gen --watchdog " + genAction(string(act)) + " --cloud-init writes this as cloud-init). Windows guests have no driver for it."
	return out
}
