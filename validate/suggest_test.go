package validate

import (
	"strings"
	"testing"
)

// TestUnknownFieldExplainsMissingFeatures: a field people copy from Pod
// specs that KubeVirt lacks is explained rather than only reported.
func TestUnknownFieldExplainsMissingFeatures(t *testing.T) {
	data := []byte(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm}
spec:
  template:
    spec:
      domain: {devices: {}}
      readinessProbe:
        grpc: {port: 1}
      startupProbe:
        tcpSocket: {port: 22}
`)
	findings, _ := MustNew(Options{}).LintBytes("vm.yaml", data)
	want := map[string]string{
		"spec.template.spec.readinessProbe.grpc": `unknown field "grpc" in spec.template.spec.readinessProbe: KubeVirt probes have no grpc handler`,
		"spec.template.spec.startupProbe":        `unknown field "startupProbe" in spec.template.spec: KubeVirt has no startupProbe`,
	}
	for _, f := range findings {
		if f.RuleID != UnknownFieldRuleID {
			continue
		}
		if w, ok := want[f.Field]; ok && strings.HasPrefix(f.Message, w) {
			delete(want, f.Field)
		}
	}
	for field, w := range want {
		t.Errorf("%s: no finding starting %q in\n%s", field, w, dump(findings))
	}
}
