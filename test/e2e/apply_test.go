package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/vmhealth/vmhealth/apply"
	"github.com/vmhealth/vmhealth/internal/testenv"
)

// One VM: the stanza lands, only the health-check fields are vmhealth's,
// the restart note is shown, and nothing is restarted.
func TestApplyOneVM(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web-1"))
	stanza := writeFile(t, "readiness.yaml", readinessStanza)

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web-1", "--from", stanza, "--diff", "-v=6")
	want(t, r, 0,
		"+      readinessProbe:",
		"1 object: 1 applied, 0 unchanged, 0 failed",
		"restart required",
		"vmhealth restarted nothing",
	)
	if strings.Contains(r.stderr, "/restart") {
		t.Errorf("a restart was requested without --restart:\n%s", r.stderr)
	}

	vm := get(t, env, testenv.VirtualMachines, ns, "web-1")
	if got := fmt.Sprint(field(t, vm, "readinessProbe", "httpGet", "port")); got != "1500" {
		t.Errorf("readinessProbe.httpGet.port = %s, want 1500", got)
	}
	if got := managers(vm); got["vmhealth"] != "Apply" || got[setupManager] != "Update" {
		t.Errorf("field managers = %v, want vmhealth (Apply) and %s (Update)", got, setupManager)
	}
}

// 50 VMs by selector, then again: the second run changes nothing, not even
// a resourceVersion.
func TestApplyFiftyBySelector(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	for i := range 50 {
		create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, fmt.Sprintf("fleet-%02d", i), func(o map[string]any) {
			unstructured.SetNestedField(o, "fleet", "metadata", "labels", "app")
		}))
	}
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "bystander"))
	stanza := writeFile(t, "readiness.yaml", readinessStanza)

	start := time.Now()
	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "-l", "app=fleet", "--from", stanza)
	t.Logf("first apply to 50 VMs: %s", time.Since(start).Round(time.Millisecond))
	want(t, r, 0, "50 objects: 50 applied, 0 unchanged, 0 failed", "50 VMs are running")

	// Lists are paginated: read with pages of 7, the 51 VMs come back once
	// each.
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(env.Kube.Discovery()))
	seen := map[string]int{}
	err := apply.List(context.Background(), apply.Clients{Dynamic: env.Dynamic, Mapper: mapper}, apply.VirtualMachine,
		apply.ListOptions{Namespace: ns, PageSize: 7}, func(u *unstructured.Unstructured) error {
			seen[u.GetName()]++
			return nil
		})
	if err != nil || len(seen) != 51 {
		t.Errorf("paginated list: %d names, %v", len(seen), err)
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", name, n)
		}
	}

	rvs := map[string]string{}
	list, err := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns).List(context.Background(), metav1.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, vm := range list.Items {
		has := field(t, &vm, "readinessProbe") != nil
		if has != (vm.GetName() != "bystander") {
			t.Errorf("%s: readinessProbe present = %v", vm.GetName(), has)
		}
		rvs[vm.GetName()] = vm.GetResourceVersion()
	}

	start = time.Now()
	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "-l", "app=fleet", "--from", stanza)
	t.Logf("re-apply to 50 VMs: %s", time.Since(start).Round(time.Millisecond))
	want(t, r, 0, "50 objects: 0 applied, 50 unchanged, 0 failed")
	if strings.Contains(r.stdout, "restart") {
		t.Errorf("a restart note for unchanged VMs:\n%s", r.stdout)
	}
	for name, rv := range rvs {
		if got := get(t, env, testenv.VirtualMachines, ns, name).GetResourceVersion(); got != rv {
			t.Errorf("%s: resourceVersion %s after a no-op apply, was %s", name, got, rv)
		}
	}
}

// vmhealth gen … | vmhealth apply --from -, through a real shell pipe;
// then the same flags given to apply itself change nothing more.
func TestApplyFromGen(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web-1"))
	genFlags := []string{"--readiness", "http:1500/healthz", "--initial-delay", "120", "--period", "20", "--timeout", "10", "--watchdog", "poweroff"}

	script := fmt.Sprintf("set -o pipefail; %q gen %s | %q apply --kubeconfig %q -n %q --vm web-1 --from -",
		vmhealthBin, strings.Join(genFlags, " "), vmhealthBin, kc, ns)
	r := run(t, "bash", "-c", script)
	want(t, r, 0)
	wantRow(t, r, "web-1", "applied readinessProbe, watchdog; restart required")
	vm := get(t, env, testenv.VirtualMachines, ns, "web-1")
	if fmt.Sprint(field(t, vm, "domain", "devices", "watchdog", "i6300esb", "action")) != "poweroff" {
		t.Errorf("watchdog = %v", field(t, vm, "domain", "devices", "watchdog"))
	}

	r = vmhealth(t, "", append([]string{"apply", "--kubeconfig", kc, "-n", ns, "--vm", "web-1"}, genFlags...)...)
	want(t, r, 0)
	wantRow(t, r, "web-1", "unchanged")
}
