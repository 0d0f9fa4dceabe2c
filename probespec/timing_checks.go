package probespec

import (
	"fmt"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/message"
)

// DefaultMinBootSeconds is the boot time CheckLivenessBootWindow assumes
// when given none. A liveness probe that can fail before the guest serves
// its health endpoint ends the VM while it boots, and with runStrategy
// Always the restarted VM runs into the same race, forever. Cloud images
// with cloud-init commonly need tens of seconds from the launcher starting
// to a listening service; one minute leaves headroom for a slow node while
// delaying the detection of a real hang by less than a minute, once.
const DefaultMinBootSeconds = 60

// CheckLivenessSuccessThreshold reports a liveness probe whose
// successThreshold is above 1. Kubernetes pod validation requires 1 for
// liveness, so the virt-launcher pod is rejected. Values below 1 are
// defaulted to 1 and are CheckThresholdsBelowOne's concern. Call it for
// liveness probes only.
func CheckLivenessSuccessThreshold(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	if p == nil || p.SuccessThreshold <= 1 {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath.Child("successThreshold"), p.SuccessThreshold,
		"must be 1 for a liveness probe; remove it or set it to 1")}
}

// CheckInitialDelay reports an initialDelaySeconds below
// -LauncherInitialDelayOffset. KubeVirt adds the offset on the
// virt-launcher pod, whose value Kubernetes requires to be 0 or more.
func CheckInitialDelay(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	if p == nil || p.InitialDelaySeconds >= -LauncherInitialDelayOffset {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath.Child("initialDelaySeconds"), p.InitialDelaySeconds,
		fmt.Sprintf("must be at least %d: KubeVirt adds %d s and the virt-launcher pod would be rejected with a negative delay",
			-LauncherInitialDelayOffset, LauncherInitialDelayOffset))}
}

// CheckPeriodExceedsTimeout reports a probe whose periodSeconds is not
// greater than the timeout it runs with, after defaults; the next probe
// would be due before the current one has timed out. The timeout compared
// is the effective one: KubeVirt gives exec and guestAgentPing probes
// timeoutSeconds + GuestExecTimeoutOffset on the virt-launcher pod, so
// periodSeconds 6 with timeoutSeconds 5 runs with period 6 and timeout 6.
// The error is on periodSeconds when it is written, otherwise on
// timeoutSeconds, and its detail (PeriodTimeout.Message) says when the
// offset was added.
func CheckPeriodExceedsTimeout(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	f, ok := PeriodNotAboveTimeout(p)
	if !ok {
		return nil
	}
	if f.PeriodWritten {
		return field.ErrorList{field.Invalid(fldPath.Child("periodSeconds"), p.PeriodSeconds, f.Message())}
	}
	return field.ErrorList{field.Invalid(fldPath.Child("timeoutSeconds"), p.TimeoutSeconds, f.Message())}
}

// PeriodTimeout is what CheckPeriodExceedsTimeout finds in a probe: its
// period is not greater than the timeout it runs with.
type PeriodTimeout struct {
	// Period and Timeout are periodSeconds and timeoutSeconds with
	// KubeVirt's defaults; RunsWith is the timeout the probe runs with in
	// the virt-launcher pod.
	Period, Timeout, RunsWith int32
	// VirtProbe is the handler, exec or guestAgentPing, that KubeVirt runs
	// through virt-probe with timeoutSeconds + GuestExecTimeoutOffset, or
	// "" when the probe runs with Timeout.
	VirtProbe string
	// PeriodWritten is whether periodSeconds is written: the error is then
	// on it, otherwise on timeoutSeconds.
	PeriodWritten bool
}

// PeriodNotAboveTimeout returns what CheckPeriodExceedsTimeout reports
// about p, and false when it reports nothing.
func PeriodNotAboveTimeout(p *v1.Probe) (PeriodTimeout, bool) {
	if p == nil {
		return PeriodTimeout{}, false
	}
	d := Defaulted(p)
	f := PeriodTimeout{Period: d.PeriodSeconds, Timeout: d.TimeoutSeconds,
		RunsWith: EffectiveProbe(p).TimeoutSeconds, PeriodWritten: p.PeriodSeconds != 0}
	if f.Period > f.RunsWith {
		return PeriodTimeout{}, false
	}
	if f.RunsWith != f.Timeout {
		f.VirtProbe = HandlerExec
		if d.Exec == nil {
			f.VirtProbe = HandlerGuestAgentPing
		}
	}
	return f, true
}

// Message is the error's detail, PeriodTimeoutMessage worded with f.
func (f PeriodTimeout) Message() string {
	return PeriodTimeoutMessage.Text(f.Period, f.VirtProbe != "", f.VirtProbe, f.RunsWith, f.Timeout, f.PeriodWritten)
}

// PeriodTimeoutMessage is CheckPeriodExceedsTimeout's message. It takes
// the period, whether the probe runs with a longer timeout than written
// (exec and guestAgentPing), that handler, the timeout it runs with, the
// timeout written (defaults applied), and whether periodSeconds is
// written: the fields of PeriodTimeout, as PeriodTimeout.Message gives
// them.
var PeriodTimeoutMessage = message.Msg("periodSeconds", message.Val(" (%d)", ""), " must be greater than ",
	message.Either("the timeout the probe runs with",
		message.Msg("the timeout the probe runs with: KubeVirt gives ", message.Val("%s", ""),
			" probes timeoutSeconds + "+strconv.Itoa(GuestExecTimeoutOffset)+" = ", message.Val("%d", ""), " s in the virt-launcher pod"),
		message.Msg("timeoutSeconds (", message.Val("%d", ""), ")")),
	message.Either("; raise periodSeconds or lower timeoutSeconds",
		"; raise periodSeconds or lower timeoutSeconds",
		" (periodSeconds defaults to "+strconv.Itoa(DefaultPeriodSeconds)+"); lower timeoutSeconds or set periodSeconds"))

// CheckThresholdsBelowOne reports a negative timeoutSeconds,
// periodSeconds, successThreshold or failureThreshold, which KubeVirt
// silently replaces by its default. A written 0 is replaced too, but the
// typed probe cannot tell it from a missing field; use
// CheckThresholdsBelowOneWritten when the source document is at hand.
func CheckThresholdsBelowOne(p *v1.Probe, fldPath *field.Path) field.ErrorList {
	return CheckThresholdsBelowOneWritten(p, fldPath, nil)
}

// CheckThresholdsBelowOneWritten is CheckThresholdsBelowOne that also
// reports a 0 when written(name) is true, name being the JSON field name
// ("timeoutSeconds", "periodSeconds", "successThreshold",
// "failureThreshold"). A nil written reports no zeros.
func CheckThresholdsBelowOneWritten(p *v1.Probe, fldPath *field.Path, written func(name string) bool) field.ErrorList {
	if p == nil {
		return nil
	}
	fields := []struct {
		name  string
		value int32
		def   int32
	}{
		{"timeoutSeconds", p.TimeoutSeconds, DefaultTimeoutSeconds},
		{"periodSeconds", p.PeriodSeconds, DefaultPeriodSeconds},
		{"successThreshold", p.SuccessThreshold, DefaultSuccessThreshold},
		{"failureThreshold", p.FailureThreshold, DefaultFailureThreshold},
	}
	var errs field.ErrorList
	for _, f := range fields {
		if f.value > 0 || (f.value == 0 && (written == nil || !written(f.name))) {
			continue
		}
		errs = append(errs, field.Invalid(fldPath.Child(f.name), f.value,
			fmt.Sprintf("must be at least 1; %d is silently replaced by the default %d", f.value, f.def)))
	}
	return errs
}

// CheckLivenessBootWindow reports a liveness probe that can end the VM
// before minBoot has passed since the virt-launcher started, measured with
// Effective.EarliestLivenessKill; a guest still booting then gets killed.
// minBoot of 0 or less means DefaultMinBootSeconds. The error is on
// initialDelaySeconds when it is written, otherwise on the probe, and its
// detail names the initialDelaySeconds that would be enough. This is
// advice, not an error: KubeVirt accepts it.
func CheckLivenessBootWindow(p *v1.Probe, fldPath *field.Path, minBoot time.Duration) field.ErrorList {
	if p == nil {
		return nil
	}
	if minBoot <= 0 {
		minBoot = DefaultMinBootSeconds * time.Second
	}
	kill := EffectiveProbe(p).EarliestLivenessKill()
	if kill >= minBoot {
		return nil
	}
	short := (minBoot - kill + time.Second - 1) / time.Second // round up to whole seconds
	detail := fmt.Sprintf("the liveness probe can end the VM %d s after start, before a typical guest has booted (about %d s); raise initialDelaySeconds to at least %d",
		int64(kill/time.Second), int64((minBoot+time.Second-1)/time.Second), int64(p.InitialDelaySeconds)+int64(short))
	if p.InitialDelaySeconds != 0 {
		return field.ErrorList{field.Invalid(fldPath.Child("initialDelaySeconds"), p.InitialDelaySeconds, detail)}
	}
	return field.ErrorList{field.Invalid(fldPath, field.OmitValueType{}, detail)}
}
