package apply

import (
	"reflect"
	"strings"
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/validate"
)

func TestReadStanza(t *testing.T) {
	tests := []struct {
		name       string
		input      string
		wantFields []string
		wantErr    string
	}{
		{
			name: "gen's stanza",
			input: `spec:
  template:
    spec:
      readinessProbe:
        httpGet: {port: 1500, path: /healthz}
      domain:
        devices:
          watchdog: {name: w, i6300esb: {action: poweroff}}
`,
			wantFields: []string{"readinessProbe", "domain.devices.watchdog"},
		},
		{
			name: "a whole VM, as JSON",
			input: `{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "x"},
 "spec": {"template": {"spec": {"domain": {"devices": {}}, "livenessProbe": {"tcpSocket": {"port": 22}}}}}}`,
			wantFields: []string{"livenessProbe"},
		},
		{
			name:       "a VMI spec fragment",
			input:      "readinessProbe:\n  tcpSocket:\n    port: 22\n",
			wantFields: []string{"readinessProbe"},
		},
		{
			name: "an unknown probe goes through for the server to judge",
			input: `spec:
  template:
    spec:
      readinessProbe: {tcpSocket: {port: 22}}
      startupProbe: {tcpSocket: {port: 22}}
`,
			wantFields: []string{"readinessProbe", "startupProbe"},
		},
		{name: "no health checks", input: "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      domain: {devices: {}}\n", wantErr: "no readinessProbe, livenessProbe or watchdog"},
		{name: "not YAML", input: "a: [\n", wantErr: "yaml"},
		{name: "nothing KubeVirt", input: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n", wantErr: "no KubeVirt object"},
		{
			name:    "two objects",
			input:   "readinessProbe: {tcpSocket: {port: 22}}\n---\nreadinessProbe: {tcpSocket: {port: 23}}\n",
			wantErr: "holds 2 objects",
		},
		{
			name:    "duplicate key",
			input:   "readinessProbe:\n  tcpSocket: {port: 22}\n  tcpSocket: {port: 23}\n",
			wantErr: "stanza.yaml:3",
		},
	}
	linter := validate.MustNew(validate.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadStanza(linter, "stanza.yaml", []byte(tt.input))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.wantErr)) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string(nil), tt.wantFields...)
			if got := s.Fields(); !sameSet(got, want) {
				t.Errorf("fields = %v, want %v", got, want)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// Values are read as kubectl reads them: an unquoted 0700 is an octal
// number to YAML 1.1, and integers come out as int64.
func TestReadStanzaValuesAsKubectl(t *testing.T) {
	s, err := ReadStanza(validate.MustNew(validate.Options{}), "s.yaml", []byte("readinessProbe:\n  tcpSocket: {port: 22}\n  periodSeconds: 20\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := s.Probes["readinessProbe"].(map[string]any)
	if got, ok := p["periodSeconds"].(int64); !ok || got != 20 {
		t.Errorf("periodSeconds = %#v, want int64 20", p["periodSeconds"])
	}
}

func TestReadSources(t *testing.T) {
	in := `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: a, namespace: demo}
spec:
  template:
    spec:
      domain: {devices: {}}
      readinessProbe: {tcpSocket: {port: 22}}
---
apiVersion: pool.kubevirt.io/v1beta1
kind: VirtualMachinePool
metadata: {name: p}
spec:
  virtualMachineTemplate:
    spec:
      template:
        spec:
          domain: {devices: {}}
          livenessProbe: {tcpSocket: {port: 22}}
`
	srcs, err := ReadSources(validate.MustNew(validate.Options{}), "vms.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 {
		t.Fatalf("got %d sources, want 2", len(srcs))
	}
	if srcs[0].Kind.GroupKind != VirtualMachine.GroupKind || srcs[0].Ref.Name != "a" || srcs[0].Ref.Namespace != "demo" || srcs[0].Where != "vms.yaml:1" {
		t.Errorf("first source = %+v", srcs[0])
	}
	if srcs[1].Kind.GroupKind != VirtualMachinePool.GroupKind || !reflect.DeepEqual(srcs[1].Stanza.Fields(), []string{"livenessProbe"}) {
		t.Errorf("second source = %+v, fields %v", srcs[1], srcs[1].Stanza.Fields())
	}
}

func TestStanzaFromTyped(t *testing.T) {
	r := &v1.Probe{Handler: v1.Handler{HTTPGet: &k8sv1.HTTPGetAction{Port: intstr.FromInt32(1500), Path: "/healthz"}}, PeriodSeconds: 20}
	w := &v1.Watchdog{Name: "w", WatchdogDevice: v1.WatchdogDevice{I6300ESB: &v1.I6300ESBWatchdog{Action: v1.WatchdogActionPoweroff}}}
	s, err := StanzaFromTyped(r, nil, w)
	if err != nil {
		t.Fatal(err)
	}
	want := y(t, `readinessProbe: {httpGet: {port: 1500, path: /healthz}, periodSeconds: 20}
domain: {devices: {watchdog: {name: w, i6300esb: {action: poweroff}}}}`)
	if got := s.Spec(); !jsonEqual(got, want) {
		t.Errorf("spec = %v, want %v", got, want)
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{
		"vm": VirtualMachine, "VirtualMachine": VirtualMachine, "virtualmachines": VirtualMachine,
		"vmirs": VirtualMachineInstanceReplicaSet, "vmpool": VirtualMachinePool,
		"virtualmachinepools.pool.kubevirt.io": VirtualMachinePool, "vmi": VirtualMachineInstance,
	} {
		got, err := ParseKind(in)
		if err != nil || got.GroupKind != want.GroupKind {
			t.Errorf("ParseKind(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseKind("pod"); err == nil {
		t.Error("ParseKind(pod) succeeded")
	}
}

func TestDiff(t *testing.T) {
	r := Result{
		Target:   Target{Kind: VirtualMachine, Namespace: "demo", Name: "web"},
		SpecPath: VirtualMachine.SpecPath,
		Before:   y(t, "readinessProbe: {tcpSocket: {port: 22}}"),
		After:    y(t, "readinessProbe: {tcpSocket: {port: 22}, periodSeconds: 20}"),
	}
	want := `--- VirtualMachine demo/web (live)
+++ VirtualMachine demo/web (after apply)
 spec:
   template:
     spec:
       readinessProbe:
+        periodSeconds: 20
         tcpSocket:
           port: 22
`
	if got := r.Diff(); got != want {
		t.Errorf("diff =\n%s\nwant\n%s", got, want)
	}
	r.After = r.Before
	if got := r.Diff(); got != "" {
		t.Errorf("diff of equal health checks = %q", got)
	}
}
