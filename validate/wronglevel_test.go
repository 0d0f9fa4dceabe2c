package validate

import (
	"strings"
	"testing"
)

// TestWrongLevelMessages checks that a health-check field one level off
// names the path where it belongs, for each kind's own VMI spec path.
func TestWrongLevelMessages(t *testing.T) {
	data := []byte(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm}
spec:
  livenessProbe: {tcpSocket: {port: 22}}
  template:
    spec:
      domain:
        readinessProbe: {tcpSocket: {port: 22}}
        devices: {}
      watchdog: {name: wd, i6300esb: {action: reset}}
---
apiVersion: pool.kubevirt.io/v1beta1
kind: VirtualMachinePool
metadata: {name: pool}
spec:
  virtualMachineTemplate:
    spec:
      template:
        spec:
          domain:
            watchdog: {name: wd}
`)
	want := map[string]string{
		"spec.livenessProbe":                                             "livenessProbe belongs in spec.template.spec",
		"spec.template.spec.domain.readinessProbe":                       "readinessProbe belongs in spec.template.spec",
		"spec.template.spec.watchdog":                                    "watchdog belongs in spec.template.spec.domain.devices",
		"spec.virtualMachineTemplate.spec.template.spec.domain.watchdog": "watchdog belongs in spec.virtualMachineTemplate.spec.template.spec.domain.devices",
	}
	findings, _ := MustNew(Options{}).LintBytes("vm.yaml", data)
	for _, f := range findings {
		if f.RuleID != UnknownFieldRuleID {
			continue
		}
		w, ok := want[f.Field]
		if !ok {
			t.Errorf("unexpected unknown-field on %s: %s", f.Field, f.Message)
			continue
		}
		if !strings.HasSuffix(f.Message, "; "+w) {
			t.Errorf("%s: message %q does not end with %q", f.Field, f.Message, w)
		}
		delete(want, f.Field)
	}
	for p := range want {
		t.Errorf("no unknown-field finding on %s", p)
	}
}
