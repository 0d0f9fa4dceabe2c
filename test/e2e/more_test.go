package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

// lint --cluster finds a VM broken on purpose, names it by namespace and
// name, and every output format works.
func TestLintClusterFindsBrokenVM(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "good", func(o map[string]any) {
		unstructured.SetNestedMap(o, map[string]any{"tcpSocket": map[string]any{"port": int64(22)}}, "spec", "template", "spec", "readinessProbe")
	}))
	// Accepted by the API server, but the launcher pod would be rejected:
	// the VM never starts.
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "broken", func(o map[string]any) {
		unstructured.SetNestedMap(o, map[string]any{
			"tcpSocket": map[string]any{"port": int64(22)}, "initialDelaySeconds": int64(300), "successThreshold": int64(3),
		}, "spec", "template", "spec", "livenessProbe")
	}))

	r := vmhealth(t, "", "lint", "--cluster", "--kubeconfig", kc, "-n", ns)
	want(t, r, 1, "VirtualMachine/"+ns+"/broken: error liveness-success-threshold", "field: spec.template.spec.livenessProbe.successThreshold")
	if strings.Contains(r.stdout, "/good: error") {
		t.Errorf("the good VM has an error:\n%s", r.stdout)
	}

	r = vmhealth(t, "", "lint", "--cluster", "--kubeconfig", kc, "-A", "-l", "app=web", "-o", "json")
	var doc struct {
		Findings []struct {
			Rule   string
			File   string
			Object struct{ Kind, Namespace, Name string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 1 {
		t.Fatalf("json: %v\n%s", err, r)
	}
	found := false
	for _, f := range doc.Findings {
		if f.Rule == "liveness-success-threshold" && f.Object.Namespace == ns && f.Object.Name == "broken" && f.File == "" {
			found = true
		}
	}
	if !found {
		t.Errorf("JSON lacks the finding on %s/broken:\n%s", ns, r.stdout)
	}

	for _, format := range []string{"sarif", "junit", "github"} {
		r := vmhealth(t, "", "lint", "--cluster", "--kubeconfig", kc, "-n", ns, "-o", format)
		want(t, r, 1, "liveness-success-threshold")
	}
}

// Pools and ReplicaSets: the stanza goes to their templates, at the API
// version discovery offers.
func TestApplyPoolAndReplicaSet(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	vm := obj(t, webVM, "x").Object
	tmpl := vm["spec"].(map[string]any)["template"]
	create(t, env, testenv.VirtualMachinePools, ns, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "pool.kubevirt.io/v1beta1", "kind": "VirtualMachinePool",
		"metadata": map[string]any{"name": "pool"},
		"spec": map[string]any{
			"replicas": int64(2),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"virtualMachineTemplate": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec":     map[string]any{"runStrategy": "Always", "template": tmpl},
			},
		},
	}})
	create(t, env, replicaSets, ns, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstanceReplicaSet",
		"metadata": map[string]any{"name": "rs", "labels": map[string]any{"app": "web"}},
		"spec": map[string]any{
			"replicas": int64(2),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": tmpl,
		},
	}})
	stanza := writeFile(t, "r.yaml", readinessStanza)

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--kind", "vmpool", "--vm", "pool", "--from", stanza, "--diff")
	want(t, r, 0, "virtualMachineTemplate:", "VMIs that already run keep their old health checks")
	wantRow(t, r, "pool", "applied readinessProbe")
	p := get(t, env, testenv.VirtualMachinePools, ns, "pool")
	if v, _, _ := unstructured.NestedInt64(p.Object, "spec", "virtualMachineTemplate", "spec", "template", "spec", "readinessProbe", "periodSeconds"); v != 20 {
		t.Errorf("pool readinessProbe.periodSeconds = %d", v)
	}

	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--kind", "vmirs", "-l", "app=web", "--from", stanza)
	want(t, r, 0)
	wantRow(t, r, "rs", "applied readinessProbe")
	if field(t, get(t, env, replicaSets, ns, "rs"), "readinessProbe") == nil {
		t.Error("the ReplicaSet has no readinessProbe")
	}
}

// -f: each VM's health checks go to the live VM of the same name.
func TestApplyFile(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "a"))
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "b"))
	manifest := func(name, probe string) string {
		return strings.Replace(webVM, "NAME", name, 1) + "      " + probe + ":\n        tcpSocket: {port: 22}\n        initialDelaySeconds: 300\n"
	}
	file := writeFile(t, "vms.yaml", manifest("a", "readinessProbe")+"---\n"+manifest("b", "livenessProbe"))

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "-f", file)
	want(t, r, 0, "2 objects: 2 applied")
	wantRow(t, r, "a", "applied readinessProbe; restart required")
	wantRow(t, r, "b", "applied livenessProbe; restart required")
	if field(t, get(t, env, testenv.VirtualMachines, ns, "a"), "readinessProbe") == nil ||
		field(t, get(t, env, testenv.VirtualMachines, ns, "b"), "livenessProbe") == nil {
		t.Error("the health checks from the file are not on the live VMs")
	}
}

// The merge strategy replaces a probe whole, where server-side apply would
// have merged a second handler into it (which lint stops).
func TestApplyMergeStrategy(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web", func(o map[string]any) {
		unstructured.SetNestedMap(o, map[string]any{"httpGet": map[string]any{"port": int64(80)}, "periodSeconds": int64(5)},
			"spec", "template", "spec", "readinessProbe")
	}))
	tcp := writeFile(t, "tcp.yaml", "readinessProbe:\n  tcpSocket: {port: 22}\n")

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", tcp)
	want(t, r, 1, "error probe-multiple-handlers")
	wantRow(t, r, "web", "failed lint errors")

	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", tcp, "--strategy", "merge", "--diff")
	want(t, r, 0, "-        httpGet:", "-        periodSeconds: 5")
	wantRow(t, r, "web", "applied readinessProbe; restart required")
	got, _, _ := unstructured.NestedMap(get(t, env, testenv.VirtualMachines, ns, "web").Object, "spec", "template", "spec", "readinessProbe")
	if fmt.Sprint(got) != "map[tcpSocket:map[port:22]]" {
		t.Errorf("readinessProbe = %v, want only tcpSocket", got)
	}
}

// Not found, --restart without KubeVirt's virt-api, and a token the
// server rejects: clear errors, and no credential in any output.
func TestApplyErrors(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web"))
	stanza := writeFile(t, "r.yaml", readinessStanza)

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web,ghost", "--from", stanza)
	want(t, r, 1, `VirtualMachine "ghost" not found in namespace "`+ns+`"`)
	wantRow(t, r, "ghost", "failed not found")
	wantRow(t, r, "web", "applied readinessProbe; restart required")

	// This API server has no virt-api, so the restart subresource is
	// missing: the request is made and fails clearly; the apply stands.
	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", writeFile(t, "l.yaml",
		"livenessProbe:\n  tcpSocket: {port: 22}\n  initialDelaySeconds: 300\n"), "--restart", "-v=6")
	want(t, r, 1, "PUT ", "/apis/subresources.kubevirt.io/v1/namespaces/"+ns+"/virtualmachines/web/restart",
		"no virtualmachines/restart subresource", "1 restart failed")
	wantRow(t, r, "web", "applied livenessProbe; restart failed")
	if field(t, get(t, env, testenv.VirtualMachines, ns, "web"), "livenessProbe") == nil {
		t.Error("the failed restart undid the apply")
	}

	// A kubeconfig with a bearer token the server does not know.
	const token = "eyJhbGciOiJSUzI1NiJ9.ZTJlLXNlY3JldC10b2tlbi12YWx1ZQ.c2lnbmF0dXJlLWJ5dGVz"
	admin, err := os.ReadFile(kc)
	if err != nil {
		t.Fatal(err)
	}
	tokenKC := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(tokenKC, []byte(withToken(t, string(admin), token)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"apply", "--vm", "web", "--from", stanza, "-v=8"},
		{"lint", "--cluster"},
	} {
		r = vmhealth(t, "", append(args, "--kubeconfig", tokenKC, "-n", ns)...)
		if r.code == 0 || strings.Contains(r.stdout+r.stderr, token) || strings.Contains(r.stdout+r.stderr, "ZTJlLXNlY3JldC10b2tlbi12YWx1ZQ") {
			t.Errorf("vmhealth %s: token printed or no failure:\n%s", args[0], r)
		}
		want(t, r, r.code, "did not accept the credentials")
	}
}

// withToken swaps the kubeconfig user's client certificate for a token.
func withToken(t *testing.T, kubeconfig, token string) string {
	t.Helper()
	var out []string
	replaced := false
	for _, l := range strings.Split(kubeconfig, "\n") {
		trimmed := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(trimmed, "client-certificate-data:"):
			out = append(out, strings.Replace(l, trimmed, "token: "+token, 1))
			replaced = true
		case strings.HasPrefix(trimmed, "client-key-data:"):
		default:
			out = append(out, l)
		}
	}
	if !replaced {
		t.Fatalf("no client certificate in the kubeconfig:\n%s", kubeconfig)
	}
	return strings.Join(out, "\n")
}
