package probespec

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"
)

var watchdogPath = field.NewPath("spec", "template", "spec", "domain", "devices", "watchdog")

const wd = "spec.template.spec.domain.devices.watchdog"

func bothModels() *v1.Watchdog {
	w := Watchdog("wd").Model(ModelI6300ESB).Build()
	w.Diag288 = &v1.Diag288Watchdog{}
	return w
}

func TestCheckWatchdogModelForArch(t *testing.T) {
	spec := func(arch string, w *v1.Watchdog) *v1.VirtualMachineInstanceSpec {
		s := &v1.VirtualMachineInstanceSpec{Architecture: arch}
		s.Domain.Devices.Watchdog = w
		return s
	}
	i6300 := Watchdog("wd").Model(ModelI6300ESB).Build()
	diag := Watchdog("wd").Model(ModelDiag288).Build()
	noModel := Watchdog("wd").Build()
	tests := []struct {
		name        string
		spec        *v1.VirtualMachineInstanceSpec
		defaultArch string
		want        []wantErr
	}{
		{name: "nil spec", spec: nil},
		{name: "no watchdog on arm64", spec: spec(ArchARM64, nil)},
		{name: "amd64 i6300esb", spec: spec(ArchAMD64, i6300)},
		{name: "amd64 diag288", spec: spec(ArchAMD64, diag), want: []wantErr{invalid(wd)}},
		{name: "no arch means amd64", spec: spec("", diag), want: []wantErr{invalid(wd)}},
		{name: "amd64 with both models", spec: spec(ArchAMD64, bothModels()), want: []wantErr{invalid(wd)}},
		{name: "amd64 without model", spec: spec(ArchAMD64, noModel)},
		{name: "s390x diag288", spec: spec(ArchS390X, diag)},
		{name: "s390x i6300esb", spec: spec(ArchS390X, i6300), want: []wantErr{invalid(wd)}},
		{name: "s390x without model", spec: spec(ArchS390X, noModel)},
		{name: "cluster default s390x", spec: spec("", i6300), defaultArch: ArchS390X, want: []wantErr{invalid(wd)}},
		{name: "spec arch wins over cluster default", spec: spec(ArchAMD64, i6300), defaultArch: ArchS390X},
		{name: "arm64 forbids any watchdog", spec: spec(ArchARM64, noModel), want: []wantErr{forbidden(wd)}},
		{name: "arm64 as cluster default", spec: spec("", i6300), defaultArch: ArchARM64, want: []wantErr{forbidden(wd)}},
		{name: "ppc64le is not checked", spec: spec("ppc64le", diag)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertErrors(t, CheckWatchdogModelForArch(tt.spec, specPath, tt.defaultArch), tt.want)
		})
	}
}

// watchdogCheckCase is a watchdog check's input and the errors it should
// give at watchdogPath.
type watchdogCheckCase struct {
	name string
	w    *v1.Watchdog
	want []wantErr
}

func runWatchdogCheck(t *testing.T, check func(*v1.Watchdog, *field.Path) field.ErrorList, tests []watchdogCheckCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertErrors(t, check(tt.w, watchdogPath), tt.want)
		})
	}
}

func withAction(model string, a v1.WatchdogAction) *v1.Watchdog {
	return Watchdog("wd").Model(model).Action(a).Build()
}

func TestCheckWatchdogAction(t *testing.T) {
	runWatchdogCheck(t, CheckWatchdogAction, []watchdogCheckCase{
		{name: "nil", w: nil},
		{name: "no model", w: Watchdog("wd").Build()},
		{name: "empty action", w: withAction(ModelI6300ESB, "")},
		{name: "poweroff", w: withAction(ModelI6300ESB, v1.WatchdogActionPoweroff)},
		{name: "shutdown on diag288", w: withAction(ModelDiag288, v1.WatchdogActionShutdown)},
		{name: "pause", w: withAction(ModelI6300ESB, "pause"), want: []wantErr{notSupported(wd + ".i6300esb.action")}},
		{name: "explode on diag288", w: withAction(ModelDiag288, "explode"), want: []wantErr{notSupported(wd + ".diag288.action")}},
		{name: "upper case Reset", w: withAction(ModelI6300ESB, "Reset"), want: []wantErr{notSupported(wd + ".i6300esb.action")}},
	})
}

func TestCheckWatchdogActionKnown(t *testing.T) {
	runWatchdogCheck(t, CheckWatchdogActionKnown, []watchdogCheckCase{
		{name: "nil", w: nil},
		{name: "reset", w: withAction(ModelI6300ESB, v1.WatchdogActionReset)},
		{name: "libvirt-only inject-nmi", w: withAction(ModelI6300ESB, "inject-nmi")},
		{name: "explode", w: withAction(ModelI6300ESB, "explode"), want: []wantErr{invalid(wd + ".i6300esb.action")}},
	})
}

func TestCheckWatchdogActionDocumented(t *testing.T) {
	runWatchdogCheck(t, CheckWatchdogActionDocumented, []watchdogCheckCase{
		{name: "nil", w: nil},
		{name: "reset", w: withAction(ModelDiag288, v1.WatchdogActionReset)},
		{name: "explode is CheckWatchdogActionKnown's", w: withAction(ModelI6300ESB, "explode")},
		{name: "none", w: withAction(ModelDiag288, "none"), want: []wantErr{invalid(wd + ".diag288.action")}},
		{name: "dump", w: withAction(ModelI6300ESB, "dump"), want: []wantErr{invalid(wd + ".i6300esb.action")}},
	})
}

func TestCheckWatchdogName(t *testing.T) {
	runWatchdogCheck(t, CheckWatchdogName, []watchdogCheckCase{
		{name: "nil", w: nil},
		{name: "named", w: Watchdog("watchdog").Build()},
		{name: "unnamed", w: Watchdog("").Model(ModelI6300ESB).Build(), want: []wantErr{required(wd + ".name")}},
	})
}

func TestCheckWatchdogSingleModel(t *testing.T) {
	runWatchdogCheck(t, CheckWatchdogSingleModel, []watchdogCheckCase{
		{name: "nil", w: nil},
		{name: "no model", w: Watchdog("wd").Build()},
		{name: "one model", w: Watchdog("wd").Model(ModelDiag288).Build()},
		{name: "both models", w: bothModels(), want: []wantErr{invalid(wd)}},
	})
}

func TestWatchdogActionSets(t *testing.T) {
	tests := []struct {
		action         v1.WatchdogAction
		wantDocumented bool
		wantLibvirt    bool
	}{
		{action: "poweroff", wantDocumented: true, wantLibvirt: true},
		{action: "reset", wantDocumented: true, wantLibvirt: true},
		{action: "shutdown", wantDocumented: true, wantLibvirt: true},
		{action: "pause", wantLibvirt: true},
		{action: "dump", wantLibvirt: true},
		{action: "none", wantLibvirt: true},
		{action: "inject-nmi", wantLibvirt: true},
		{action: "explode"},
		{action: ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.action), func(t *testing.T) {
			if got := IsDocumentedWatchdogAction(tt.action); got != tt.wantDocumented {
				t.Errorf("IsDocumentedWatchdogAction(%q) = %v, want %v", tt.action, got, tt.wantDocumented)
			}
			if got := IsLibvirtWatchdogAction(tt.action); got != tt.wantLibvirt {
				t.Errorf("IsLibvirtWatchdogAction(%q) = %v, want %v", tt.action, got, tt.wantLibvirt)
			}
		})
	}
}
