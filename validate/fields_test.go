package validate

import (
	"slices"
	"strings"
	"testing"
)

func TestFieldNames(t *testing.T) {
	for _, tc := range []struct {
		apiVersion, kind, path string
		has, hasNot            []string
	}{
		{"kubevirt.io/v1", "VirtualMachine", "spec.template.spec.readinessProbe", []string{"periodSeconds", "httpGet", "guestAgentPing"}, []string{"periodSecond", "port"}},
		{"kubevirt.io/v1", "VirtualMachineInstance", "spec.domain.devices.watchdog", []string{"name", "i6300esb", "diag288"}, nil},
		{"kubevirt.io/v1", "VirtualMachine", "spec.template.spec.domain.devices.interfaces[0]", []string{"masquerade", "ports"}, nil},
	} {
		got := FieldNames(tc.apiVersion, tc.kind, tc.path)
		for _, h := range tc.has {
			if !slices.Contains(got, h) {
				t.Errorf("%s %s: no %q in %v", tc.kind, tc.path, h, got)
			}
		}
		for _, h := range tc.hasNot {
			if slices.Contains(got, h) {
				t.Errorf("%s %s: %q in %v", tc.kind, tc.path, h, got)
			}
		}
		if !slices.IsSorted(got) {
			t.Errorf("%s %s: not sorted: %v", tc.kind, tc.path, got)
		}
	}
	for _, tc := range []struct{ apiVersion, kind, path string }{
		{"apps/v1", "Deployment", "spec"},
		{"kubevirt.io/v1", "VirtualMachine", "spec.template.spec.readinessProbe.periodSeconds"},
		{"kubevirt.io/v1", "VirtualMachine", "spec.nosuch"},
	} {
		if got := FieldNames(tc.apiVersion, tc.kind, tc.path); got != nil {
			t.Errorf("%s %s: %v, want nil", tc.kind, tc.path, got)
		}
	}
}

func TestFixFinding(t *testing.T) {
	data := []byte(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
spec:
  template:
    spec:
      domain:
        devices: {}
      readinessProbe:
        tcpSocket:
          port: 1500
        periodSecond: 5 # every 5 s
`)
	l := MustNew(Options{})
	findings, _ := l.LintBytes("vm.yaml", data)
	var typo *Finding
	for i, f := range findings {
		if f.RuleID == "unknown-field" && strings.HasSuffix(f.Field, ".periodSecond") {
			typo = &findings[i]
		}
	}
	if typo == nil {
		t.Fatalf("findings: %+v", findings)
	}
	fixed, change, ok := l.FixFinding("vm.yaml", data, *typo)
	want := strings.Replace(string(data), "periodSecond: 5", "periodSeconds: 5", 1)
	if !ok || string(fixed) != want || change != "renamed periodSecond to periodSeconds" {
		t.Errorf("typo: ok %v, %q:\n%s", ok, change, fixed)
	}
	// Once fixed, the finding is gone: the same fix does not apply twice.
	if _, _, ok := l.FixFinding("vm.yaml", fixed, *typo); ok {
		t.Error("the typo was fixed twice")
	}
	if _, _, ok := l.FixFinding("vm.yaml", []byte(want), Finding{RuleID: "no-such-rule", Line: 1, Column: 1}); ok {
		t.Error("a finding of no rule was fixed")
	}
	if _, _, ok := l.FixFinding("vm.yaml", []byte("{{ .x }}\n"+string(data)), *typo); ok {
		t.Error("a template was fixed")
	}
}
