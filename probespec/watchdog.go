package probespec

import (
	"fmt"
	"slices"
	"strings"

	v1 "kubevirt.io/api/core/v1"
)

// Watchdog device models KubeVirt offers.
const (
	// ModelI6300ESB is the Intel 6300ESB watchdog, the only model on amd64.
	ModelI6300ESB = "i6300esb"
	// ModelDiag288 is the s390x diagnose 288 watchdog, the only model on s390x.
	ModelDiag288 = "diag288"
)

// Architectures whose watchdog rules KubeVirt enforces, as spelled in
// spec.architecture.
const (
	// ArchAMD64 allows only the i6300esb watchdog and is the default.
	ArchAMD64 = "amd64"
	// ArchARM64 allows no watchdog at all.
	ArchARM64 = "arm64"
	// ArchS390X allows only the diag288 watchdog.
	ArchS390X = "s390x"
)

// Architectures lists the architectures whose watchdog rules vmhealth knows,
// in the order tools should offer them.
var Architectures = []string{ArchAMD64, ArchARM64, ArchS390X}

// DocumentedWatchdogActions are the actions KubeVirt documents for a
// watchdog device. KubeVirt does not validate the action, so anything else
// is accepted at admission and only fails, or behaves unexpectedly, later.
var DocumentedWatchdogActions = []string{
	string(v1.WatchdogActionPoweroff),
	string(v1.WatchdogActionReset),
	string(v1.WatchdogActionShutdown),
}

// LibvirtOnlyWatchdogActions are actions libvirt knows that KubeVirt does
// not document. KubeVirt passes them through, but "pause" or "none" leave a
// hung guest running, which defeats the watchdog.
var LibvirtOnlyWatchdogActions = []string{"pause", "dump", "none", "inject-nmi"}

// IsDocumentedWatchdogAction reports whether a is one of poweroff, reset or
// shutdown.
func IsDocumentedWatchdogAction(a v1.WatchdogAction) bool {
	return slices.Contains(DocumentedWatchdogActions, string(a))
}

// IsLibvirtWatchdogAction reports whether libvirt knows the action a: a
// documented action or one of LibvirtOnlyWatchdogActions.
func IsLibvirtWatchdogAction(a v1.WatchdogAction) bool {
	return IsDocumentedWatchdogAction(a) || slices.Contains(LibvirtOnlyWatchdogActions, string(a))
}

// ParseWatchdogAction converts s to a watchdog action, accepting only the
// documented actions poweroff, reset and shutdown (case-sensitive, as
// KubeVirt stores them).
func ParseWatchdogAction(s string) (v1.WatchdogAction, error) {
	a := v1.WatchdogAction(s)
	if !IsDocumentedWatchdogAction(a) {
		return "", fmt.Errorf("unsupported watchdog action %q: must be one of %s",
			s, strings.Join(DocumentedWatchdogActions, ", "))
	}
	return a, nil
}

// WatchdogModel returns the model set on w: ModelI6300ESB, ModelDiag288,
// or "" when w is nil or has no model (KubeVirt then picks one for the
// architecture, see WatchdogDefaulted). When both are set, which KubeVirt
// rejects (see CheckWatchdogSingleModel), it returns ModelI6300ESB.
func WatchdogModel(w *v1.Watchdog) string {
	switch {
	case w == nil:
		return ""
	case w.I6300ESB != nil:
		return ModelI6300ESB
	case w.Diag288 != nil:
		return ModelDiag288
	}
	return ""
}

// watchdogActions returns the model and action of every model set on w,
// i6300esb first.
func watchdogActions(w *v1.Watchdog) []modelAction {
	if w == nil {
		return nil
	}
	var out []modelAction
	if w.I6300ESB != nil {
		out = append(out, modelAction{ModelI6300ESB, w.I6300ESB.Action})
	}
	if w.Diag288 != nil {
		out = append(out, modelAction{ModelDiag288, w.Diag288.Action})
	}
	return out
}

type modelAction struct {
	model  string
	action v1.WatchdogAction
}

// WatchdogBuilder assembles a watchdog device. Start it with Watchdog.
type WatchdogBuilder struct {
	name   string
	model  string
	action v1.WatchdogAction
}

// Watchdog starts a watchdog device called name.
func Watchdog(name string) *WatchdogBuilder {
	return &WatchdogBuilder{name: name}
}

// Model selects the device model: ModelI6300ESB (amd64) or ModelDiag288
// (s390x). Any other value leaves the model unset.
func (b *WatchdogBuilder) Model(model string) *WatchdogBuilder {
	b.model = model
	return b
}

// Action sets what happens when the guest stops feeding the watchdog.
// KubeVirt defaults it to reset.
func (b *WatchdogBuilder) Action(a v1.WatchdogAction) *WatchdogBuilder {
	b.action = a
	return b
}

// Build returns the watchdog. Without Model and Action no model is set and
// KubeVirt picks the architecture's model. An Action without a Model needs
// a model to live on: it goes on ModelI6300ESB, the model KubeVirt's API
// names as the default; call Model(ModelDiag288) for s390x.
func (b *WatchdogBuilder) Build() *v1.Watchdog {
	w := &v1.Watchdog{Name: b.name}
	model := b.model
	if model == "" && b.action != "" {
		model = ModelI6300ESB
	}
	switch model {
	case ModelI6300ESB:
		w.I6300ESB = &v1.I6300ESBWatchdog{Action: b.action}
	case ModelDiag288:
		w.Diag288 = &v1.Diag288Watchdog{Action: b.action}
	}
	return w
}
