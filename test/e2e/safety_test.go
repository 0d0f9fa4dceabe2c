package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

// Neither dry run writes (the resourceVersion stays), and both show the
// same change.
func TestDryRunWritesNothing(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	before := create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web")).GetResourceVersion()
	stanza := writeFile(t, "r.yaml", readinessStanza)

	diffs := map[string]string{}
	for _, mode := range []string{"client", "server"} {
		r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", stanza, "--dry-run="+mode, "--diff")
		want(t, r, 0, mode+" dry run", "+        periodSeconds: 20")
		wantRow(t, r, "web", "would apply readinessProbe")
		if strings.Contains(r.stdout, "Note:") {
			t.Errorf("%s dry run: a restart note for a change not made:\n%s", mode, r.stdout)
		}
		// The diff without its header line, which names the mode.
		diffs[mode] = r.stdout[strings.Index(r.stdout, " spec:"):strings.Index(r.stdout, "KIND")]
		if got := get(t, env, testenv.VirtualMachines, ns, "web").GetResourceVersion(); got != before {
			t.Errorf("%s dry run: resourceVersion %s, was %s", mode, got, before)
		}
	}
	if diffs["client"] != diffs["server"] {
		t.Errorf("client and server dry runs differ:\n%s\n---\n%s", diffs["client"], diffs["server"])
	}
}

// An error lint finds in the result stops the write; --force writes.
func TestLintErrorBlocksWrite(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	before := create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web")).GetResourceVersion()
	bad := writeFile(t, "bad.yaml", `livenessProbe:
  tcpSocket: {port: 22}
  initialDelaySeconds: 300
  successThreshold: 2
`)

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", bad)
	want(t, r, 1,
		"VirtualMachine/"+ns+"/web: error liveness-success-threshold",
		"field: spec.template.spec.livenessProbe.successThreshold",
		"lint found 1 error in the result; nothing was written",
		"--force to write them anyway")
	wantRow(t, r, "web", "failed lint errors")
	if got := get(t, env, testenv.VirtualMachines, ns, "web").GetResourceVersion(); got != before {
		t.Errorf("resourceVersion %s after a blocked apply, was %s", got, before)
	}

	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", bad, "--force")
	want(t, r, 0, "error liveness-success-threshold")
	wantRow(t, r, "web", "applied livenessProbe; restart required")
	if got := fmt.Sprint(field(t, get(t, env, testenv.VirtualMachines, ns, "web"), "livenessProbe", "successThreshold")); got != "2" {
		t.Errorf("successThreshold = %s after --force, want 2", got)
	}
}

// startupProbe does not exist in KubeVirt: lint says so, and with --force
// the API server's schema rejects it, and the user reads why.
func TestServerRejectsUnknownField(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	before := create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web")).GetResourceVersion()
	stanza := writeFile(t, "startup.yaml", readinessStanza+"      startupProbe:\n        tcpSocket: {port: 22}\n")

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", stanza)
	want(t, r, 1, `error unknown-field: unknown field "startupProbe"`)
	wantRow(t, r, "web", "failed lint errors")

	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", stanza, "--force")
	want(t, r, 1, "the API server rejected the change", ".spec.template.spec.startupProbe: field not declared in schema")
	wantRow(t, r, "web", "failed rejected by the API server")
	if got := get(t, env, testenv.VirtualMachines, ns, "web").GetResourceVersion(); got != before {
		t.Errorf("resourceVersion %s after a rejected apply, was %s", got, before)
	}
}

// A user who may read VMs but not patch them is told which verb on which
// resource is missing; one who may not even read them, likewise.
func TestRBACForbidden(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web"))
	stanza := writeFile(t, "r.yaml", readinessStanza)

	viewer := env.AddUser(t, "vm-viewer-"+ns)
	env.GrantRole(t, ns, viewer, rbacv1.PolicyRule{APIGroups: []string{"kubevirt.io"}, Resources: []string{"virtualmachines"}, Verbs: []string{"get", "list"}})
	r := vmhealth(t, "", "apply", "--kubeconfig", viewer.WriteKubeconfig(t), "-n", ns, "--vm", "web", "--from", stanza)
	want(t, r, 1,
		`cannot patch resource "virtualmachines" in API group "kubevirt.io" in the namespace "`+ns+`"`,
		`ask for the "patch" verb on virtualmachines.kubevirt.io`)
	wantRow(t, r, "web", "failed forbidden")

	nobody := env.AddUser(t, "nobody-"+ns)
	r = vmhealth(t, "", "apply", "--kubeconfig", nobody.WriteKubeconfig(t), "-n", ns, "-l", "app=web", "--from", stanza)
	want(t, r, 2, `cannot list resource "virtualmachines"`, `"list" verb`)
}

// An admission policy (here a ValidatingAdmissionPolicy standing in for
// KubeVirt's webhook) refuses the change: the user sees its message.
func TestAdmissionRejection(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "web"))
	ctx := context.Background()

	name := "e2e-slow-readiness-" + ns
	policy := &admissionv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr(admissionv1.Fail),
			MatchConstraints: &admissionv1.MatchResources{ResourceRules: []admissionv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionv1.RuleWithOperations{
					Operations: []admissionv1.OperationType{admissionv1.Update},
					Rule:       admissionv1.Rule{APIGroups: []string{"kubevirt.io"}, APIVersions: []string{"*"}, Resources: []string{"virtualmachines"}},
				},
			}}},
			Validations: []admissionv1.Validation{{
				Expression: "!has(object.spec.template.spec.readinessProbe) || !has(object.spec.template.spec.readinessProbe.periodSeconds) || object.spec.template.spec.readinessProbe.periodSeconds <= 10",
				Message:    "site policy: readiness probes run at least every 10 seconds",
			}},
		},
	}
	binding := &admissionv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionv1.ValidationAction{admissionv1.Deny},
			MatchResources: &admissionv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{corev1.LabelMetadataName: ns},
			}},
		},
	}
	pc := env.Kube.AdmissionregistrationV1().ValidatingAdmissionPolicies()
	bc := env.Kube.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings()
	if _, err := pc.Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Delete(ctx, name, metav1.DeleteOptions{}) })
	if _, err := bc.Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Delete(ctx, name, metav1.DeleteOptions{}) })
	waitForDenial(t, env, ns, "web")

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "--vm", "web", "--from", writeFile(t, "r.yaml", readinessStanza))
	want(t, r, 1, "site policy: readiness probes run at least every 10 seconds")
	wantRow(t, r, "web", "failed rejected by the API server")
}

// waitForDenial waits until the policy is in force: the API server loads
// policies asynchronously.
func waitForDenial(t *testing.T, env *testenv.Env, ns, name string) {
	t.Helper()
	patch := []byte(`{"spec":{"template":{"spec":{"readinessProbe":{"tcpSocket":{"port":22},"periodSeconds":60}}}}}`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns).Patch(context.Background(), name, types.MergePatchType, patch,
			metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
		if apierrors.IsInvalid(err) || apierrors.IsForbidden(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the admission policy is not in force after 30s (last error: %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }
