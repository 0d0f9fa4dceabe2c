package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

// opsManager stands for another tool that manages the same VMs with
// server-side apply (kubectl apply --server-side, a GitOps controller).
const opsManager = "ops-tool"

// opsApply server-side applies a partial VirtualMachine as opsManager.
func opsApply(t *testing.T, env *testenv.Env, ns, name, spec string) {
	t.Helper()
	u := obj(t, `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: NAME}
spec:
  template:
    spec:
`+spec, name)
	u.SetNamespace(ns)
	if _, err := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns).Apply(context.Background(), name, u,
		metav1.ApplyOptions{FieldManager: opsManager}); err != nil {
		t.Fatalf("applying as %s: %v", opsManager, err)
	}
}

// ownedBy reports whether manager's managedFields entry covers the field
// below spec.template.spec.
func ownedBy(t *testing.T, u *unstructured.Unstructured, manager string, path ...string) bool {
	t.Helper()
	for _, e := range u.GetManagedFields() {
		if e.Manager != manager || e.FieldsV1 == nil {
			continue
		}
		var set map[string]any
		if err := json.Unmarshal(e.FieldsV1.GetRawBytes(), &set); err != nil {
			t.Fatal(err)
		}
		cur := set
		for _, p := range append([]string{"spec", "template", "spec"}, path...) {
			next, ok := cur["f:"+p].(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = next
		}
		if cur != nil {
			return true
		}
	}
	return false
}

// A field another manager owns stays, with its owner, and vmhealth owns
// only what it sent. Later applies keep vmhealth's earlier health checks
// and replace the handler of the probe they mention.
func TestApplyLeavesOtherManagersFields(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web"))
	opsApply(t, env, ns, "web", `      livenessProbe:
        tcpSocket: {port: 22}
        initialDelaySeconds: 300
`)

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", writeFile(t, "r.yaml", readinessStanza))
	want(t, r, 0, "applied")
	vm := get(t, env, testenv.VirtualMachines, ns, "web")
	if got := fmt.Sprint(field(t, vm, "livenessProbe", "tcpSocket", "port")); got != "22" {
		t.Errorf("the other manager's livenessProbe changed: port %s", got)
	}
	if fmt.Sprint(field(t, vm, "domain", "memory", "guest")) != "1Gi" {
		t.Error("the creator's memory changed")
	}
	if !ownedBy(t, vm, opsManager, "livenessProbe") || ownedBy(t, vm, "vmhealth", "livenessProbe") {
		t.Errorf("livenessProbe ownership changed: %v", vm.GetManagedFields())
	}
	if !ownedBy(t, vm, "vmhealth", "readinessProbe") {
		t.Errorf("vmhealth does not own readinessProbe: %v", vm.GetManagedFields())
	}

	// A watchdog only: the readiness probe vmhealth applied before stays.
	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", writeFile(t, "w.yaml",
		"spec:\n  template:\n    spec:\n      domain:\n        devices:\n          watchdog:\n            name: watchdog\n            i6300esb: {action: poweroff}\n"))
	want(t, r, 0)
	wantRow(t, r, "web", "applied watchdog; restart required")
	vm = get(t, env, testenv.VirtualMachines, ns, "web")
	if field(t, vm, "readinessProbe") == nil || field(t, vm, "domain", "devices", "watchdog") == nil {
		t.Fatalf("readinessProbe or watchdog missing after a watchdog-only apply: %v", field(t, vm))
	}

	// Switching the readiness handler: httpGet, which only vmhealth set,
	// goes; the others stay.
	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--diff", "--from", writeFile(t, "t.yaml",
		"readinessProbe:\n  tcpSocket: {port: 1500}\n  initialDelaySeconds: 120\n  periodSeconds: 20\n  timeoutSeconds: 10\n"))
	want(t, r, 0, "-        httpGet:", "+        tcpSocket:")
	wantRow(t, r, "web", "applied readinessProbe; restart required")
	vm = get(t, env, testenv.VirtualMachines, ns, "web")
	if field(t, vm, "readinessProbe", "httpGet") != nil || field(t, vm, "readinessProbe", "failureThreshold") != nil {
		t.Errorf("fields vmhealth stopped sending are still there: %v", field(t, vm, "readinessProbe"))
	}
	if field(t, vm, "livenessProbe") == nil || field(t, vm, "domain", "devices", "watchdog") == nil {
		t.Errorf("other health checks went: %v", field(t, vm))
	}
}

// Changing a field another manager owns is a conflict that names it;
// --force-conflicts takes the field over.
func TestApplyConflict(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web"))
	opsApply(t, env, ns, "web", `      readinessProbe:
        httpGet: {port: 1500, path: /healthz}
        periodSeconds: 5
`)
	before := get(t, env, testenv.VirtualMachines, ns, "web").GetResourceVersion()
	stanza := writeFile(t, "r.yaml", readinessStanza) // periodSeconds 20

	for _, dryRun := range []string{"--dry-run=client", "--dry-run=server", "--dry-run=none"} {
		r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", stanza, dryRun)
		want(t, r, 1,
			".spec.template.spec.readinessProbe.periodSeconds is owned by \""+opsManager+"\"",
			"--force-conflicts to take them over")
		wantRow(t, r, "web", "failed conflict with "+opsManager)
	}
	if got := get(t, env, testenv.VirtualMachines, ns, "web").GetResourceVersion(); got != before {
		t.Errorf("resourceVersion %s after a conflict, was %s", got, before)
	}

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", stanza, "--force-conflicts")
	want(t, r, 0)
	wantRow(t, r, "web", "applied readinessProbe; restart required")
	vm := get(t, env, testenv.VirtualMachines, ns, "web")
	if got := fmt.Sprint(field(t, vm, "readinessProbe", "periodSeconds")); got != "20" {
		t.Errorf("periodSeconds = %s, want 20", got)
	}
	if !ownedBy(t, vm, "vmhealth", "readinessProbe", "periodSeconds") || ownedBy(t, vm, opsManager, "readinessProbe", "periodSeconds") {
		t.Errorf("periodSeconds not taken over: %v", vm.GetManagedFields())
	}
}
