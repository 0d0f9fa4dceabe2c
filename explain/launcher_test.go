package explain

import (
	"strings"
	"testing"
)

// TestExplainAgreesWithLint covers what explain said that lint and gen
// contradicted: a timeline for a probe whose launcher pod is rejected, and
// a gen command with an action gen refuses.
func TestExplainAgreesWithLint(t *testing.T) {
	data := []byte(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: rejected}
spec:
  template:
    spec:
      domain:
        devices:
          watchdog: {name: wd, i6300esb: {action: rebooot}}
      livenessProbe:
        tcpSocket: {port: 22}
        initialDelaySeconds: 120
        successThreshold: 2
---
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: capital}
spec:
  template:
    spec:
      domain:
        devices:
          watchdog: {name: wd, i6300esb: {action: PowerOff}}
`)
	r := File("vm.yaml", data, Options{})
	if len(r.Objects) != 2 {
		t.Fatalf("%d objects", len(r.Objects))
	}
	rej := r.Objects[0]
	p := rej.Probes[0]
	if !strings.Contains(strings.Join(p.Consequences, " "), "the VM never starts") || p.Timing.EarliestKillSeconds != 0 {
		t.Errorf("liveness successThreshold 2: consequences %q, timing %+v; want the VM never starts and no timeline", p.Consequences, p.Timing)
	}
	if strings.Contains(rej.Watchdog.Guest, "rebooot") || !strings.Contains(rej.Watchdog.Guest, "gen --watchdog reset") {
		t.Errorf("guest advice %q suggests an action gen refuses", rej.Watchdog.Guest)
	}
	if w := r.Objects[1].Watchdog; !strings.Contains(w.Effect, `Did you mean "poweroff"?`) || !strings.Contains(w.Guest, "gen --watchdog poweroff") {
		t.Errorf("PowerOff: effect %q, guest %q", w.Effect, w.Guest)
	}
}
