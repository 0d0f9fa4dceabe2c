package apply

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/fake"

	"github.com/vmhealth/vmhealth/validate"
)

// These tests use client-go's fake dynamic client, which has no
// server-side apply; test/e2e runs everything against a real API server.

var vmGVR = schema.GroupVersionResource{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachines"}

func fakeClients(t *testing.T, objs ...runtime.Object) (Clients, *fake.FakeDynamicClient) {
	t.Helper()
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{vmGVR.GroupVersion()})
	mapper.Add(schema.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: "VirtualMachine"}, meta.RESTScopeNamespace)
	dyn := fake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{vmGVR: "VirtualMachineList"}, objs...)
	return Clients{Dynamic: dyn, Mapper: mapper}, dyn
}

func testVM(t *testing.T, name, spec string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{Object: y(t, `
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {namespace: demo, labels: {app: web}}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          interfaces: [{name: default, masquerade: {}}]
        memory: {guest: 1Gi}
      networks: [{name: default, pod: {}}]
`)}
	u.SetName(name)
	if spec != "" {
		for k, v := range y(t, spec) {
			u.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)[k] = v
		}
	}
	u.SetResourceVersion("1")
	return u
}

func stanza(t *testing.T, spec string) *Stanza {
	t.Helper()
	s, err := StanzaFromSpec(y(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestApplyMerge(t *testing.T) {
	c, dyn := fakeClients(t, testVM(t, "web", "readinessProbe: {httpGet: {port: 80}, periodSeconds: 5}"))
	a, err := New(c, Options{Strategy: StrategyMerge})
	if err != nil {
		t.Fatal(err)
	}
	target := Target{Kind: VirtualMachine, Namespace: "demo", Name: "web", Stanza: stanza(t, "readinessProbe: {tcpSocket: {port: 22}}")}
	res := a.Apply(context.Background(), target)
	if res.Status != StatusApplied || res.Err != nil {
		t.Fatalf("status %s, err %v", res.Status, res.Err)
	}
	if !res.RestartRequired {
		t.Error("a VM with runStrategy Always is not reported as needing a restart")
	}
	live, _ := dyn.Resource(vmGVR).Namespace("demo").Get(context.Background(), "web", metav1.GetOptions{})
	got, _, _ := unstructured.NestedMap(live.Object, "spec", "template", "spec", "readinessProbe")
	if want := y(t, "tcpSocket: {port: 22}"); !jsonEqual(got, want) {
		t.Errorf("readinessProbe = %v, want %v (replaced whole)", got, want)
	}

	// Again: nothing to send.
	res = a.Apply(context.Background(), target)
	if res.Status != StatusUnchanged {
		t.Errorf("second apply: status %s, err %v", res.Status, res.Err)
	}
	for _, act := range dyn.Actions()[len(dyn.Actions())-1:] {
		if act.GetVerb() == "patch" {
			t.Error("an unchanged object was patched")
		}
	}
}

func TestApplyClientDryRunSendsNothing(t *testing.T) {
	c, dyn := fakeClients(t, testVM(t, "web", ""))
	a, _ := New(c, Options{DryRun: DryRunClient})
	res := a.Apply(context.Background(), Target{Kind: VirtualMachine, Namespace: "demo", Name: "web", Stanza: stanza(t, "readinessProbe: {tcpSocket: {port: 22}}")})
	if res.Status != StatusApplied || res.Diff() == "" {
		t.Fatalf("status %s, err %v, diff %q", res.Status, res.Err, res.Diff())
	}
	for _, act := range dyn.Actions() {
		if act.GetVerb() != "get" {
			t.Errorf("client dry run sent a %s", act.GetVerb())
		}
	}
}

func TestApplyLintErrorBlocks(t *testing.T) {
	c, dyn := fakeClients(t, testVM(t, "web", ""))
	bad := stanza(t, "livenessProbe: {tcpSocket: {port: 22}, successThreshold: 2}")
	target := Target{Kind: VirtualMachine, Namespace: "demo", Name: "web", Stanza: bad}

	a, _ := New(c, Options{Strategy: StrategyMerge})
	res := a.Apply(context.Background(), target)
	var le *LintError
	if res.Status != StatusFailed || !errors.As(res.Err, &le) {
		t.Fatalf("status %s, err %v; want a LintError", res.Status, res.Err)
	}
	if !hasRule(res.Findings, "liveness-success-threshold") {
		t.Errorf("findings %v lack liveness-success-threshold", res.Findings)
	}
	for _, act := range dyn.Actions() {
		if act.GetVerb() == "patch" {
			t.Error("a blocked change was written")
		}
	}

	forced, _ := New(c, Options{Strategy: StrategyMerge, Force: true})
	if res := forced.Apply(context.Background(), target); res.Status != StatusApplied {
		t.Errorf("with Force: status %s, err %v", res.Status, res.Err)
	}
}

func hasRule(fs []validate.Finding, id string) bool {
	for _, f := range fs {
		if f.RuleID == id {
			return true
		}
	}
	return false
}

func TestApplyErrors(t *testing.T) {
	c, _ := fakeClients(t)
	a, _ := New(c, Options{})
	s := stanza(t, "readinessProbe: {tcpSocket: {port: 22}}")

	res := a.Apply(context.Background(), Target{Kind: VirtualMachine, Namespace: "demo", Name: "nope", Stanza: s})
	var nf *NotFoundError
	if !errors.As(res.Err, &nf) || res.Err.Error() != `VirtualMachine "nope" not found in namespace "demo"` {
		t.Errorf("missing VM: %v", res.Err)
	}

	res = a.Apply(context.Background(), Target{Kind: VirtualMachinePool, Namespace: "demo", Name: "p", Stanza: s})
	var ni *NotInstalledError
	if !errors.As(res.Err, &ni) {
		t.Errorf("kind not served: %v, want a NotInstalledError", res.Err)
	}

	res = a.Apply(context.Background(), Target{Kind: VirtualMachineInstance, Namespace: "demo", Name: "v", Stanza: s})
	if res.Status != StatusFailed {
		t.Errorf("a VMI was not refused: %v", res.Status)
	}

	res = a.Apply(context.Background(), Target{Kind: VirtualMachine, Namespace: "demo", Name: "web", Stanza: &Stanza{}})
	if res.Status != StatusFailed {
		t.Errorf("an empty stanza was not refused: %v", res.Status)
	}
}

func TestApplyAllKeepsOrder(t *testing.T) {
	var objs []runtime.Object
	for i := range 20 {
		objs = append(objs, testVM(t, fmt.Sprintf("vm-%02d", i), ""))
	}
	c, _ := fakeClients(t, objs...)
	a, _ := New(c, Options{Strategy: StrategyMerge, Workers: 4})
	targets, err := Select(context.Background(), c, VirtualMachine, ListOptions{Namespace: "demo", Selector: "app=web", PageSize: 7},
		stanza(t, "readinessProbe: {tcpSocket: {port: 22}}"))
	if err != nil || len(targets) != 20 {
		t.Fatalf("Select: %d targets, %v", len(targets), err)
	}
	calls := 0
	results := a.ApplyAll(context.Background(), targets, func(Result) { calls++ })
	if calls != 20 {
		t.Errorf("done called %d times", calls)
	}
	for i, r := range results {
		if r.Name != targets[i].Name || r.Status != StatusApplied {
			t.Errorf("result %d: %s %s %v", i, r.Name, r.Status, r.Err)
		}
	}
}

func TestIsRunning(t *testing.T) {
	for _, tt := range []struct {
		obj  string
		want bool
	}{
		{"spec: {runStrategy: Always}", true},
		{"spec: {runStrategy: Halted}", false},
		{"spec: {running: true}", true},
		{"spec: {runStrategy: Always}\nstatus: {printableStatus: Stopped}", false},
		{"spec: {runStrategy: Manual}\nstatus: {printableStatus: Running}", true},
	} {
		if got := isRunning(&unstructured.Unstructured{Object: y(t, tt.obj)}); got != tt.want {
			t.Errorf("isRunning(%s) = %v, want %v", tt.obj, got, tt.want)
		}
	}
}
