// Package policy_test installs the ValidatingAdmissionPolicies that
// vmhealth policy writes into a real kube-apiserver with KubeVirt's CRDs
// (internal/testenv) and holds them to lint's verdicts: every object of the
// rule fixtures and the corpus that lint finds an enforceable error in is
// rejected with that rule's message, every other one is admitted, and with
// action Warn every finding comes back as a warning.
//
// The control plane is shared by the package's tests; each test works in
// namespaces of its own, labelled so that only its bindings select them.
// Build kube-apiserver and etcd first with hack/testbin.sh.
package policy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/vmhealth/vmhealth/internal/testenv"
	"github.com/vmhealth/vmhealth/policy"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// resources maps the kinds the policies cover to what the API serves.
var resources = map[string]schema.GroupVersionResource{
	"VirtualMachine":                   {Group: "kubevirt.io", Version: "v1", Resource: "virtualmachines"},
	"VirtualMachineInstance":           {Group: "kubevirt.io", Version: "v1", Resource: "virtualmachineinstances"},
	"VirtualMachineInstanceReplicaSet": {Group: "kubevirt.io", Version: "v1", Resource: "virtualmachineinstancereplicasets"},
	"VirtualMachinePool":               {Group: "pool.kubevirt.io", Version: "v1beta1", Resource: "virtualmachinepools"},
}

// cluster is the shared API server with clients that are not throttled
// and that hand every response's warnings to the request's collector.
type cluster struct {
	env     *testenv.Env
	dynamic dynamic.Interface
	kube    kubernetes.Interface
}

// warningsKey marks a request's context with the collector of its
// warnings.
type warningsKey struct{}

type warnings struct {
	mu   sync.Mutex
	list []string
}

type warningRouter struct{}

func (warningRouter) HandleWarningHeaderWithContext(ctx context.Context, _ int, _ string, text string) {
	if w, ok := ctx.Value(warningsKey{}).(*warnings); ok {
		w.mu.Lock()
		w.list = append(w.list, text)
		w.mu.Unlock()
	}
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	env := testenv.Shared(t)
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS, cfg.Burst = 1000, 2000
	cfg.WarningHandlerWithContext = warningRouter{}
	c := &cluster{env: env}
	var err error
	if c.dynamic, err = dynamic.NewForConfig(cfg); err == nil {
		c.kube, err = kubernetes.NewForConfig(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// namespace creates a namespace with the given labels, deleted when the
// test ends.
func (c *cluster) namespace(t *testing.T, labels map[string]string) string {
	t.Helper()
	ns, err := c.kube.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "vmhealth-policy-", Labels: labels}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.kube.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{}) })
	return ns.Name
}

// install creates the set's policies and bindings, removed when the test
// ends.
func (c *cluster) install(t *testing.T, set *policy.Set) {
	t.Helper()
	ctx := context.Background()
	api := c.kube.AdmissionregistrationV1()
	for _, p := range set.Policies {
		if _, err := api.ValidatingAdmissionPolicies().Create(ctx, p.Policy, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating %s: %v", p.Policy.Name, err)
		}
		if _, err := api.ValidatingAdmissionPolicyBindings().Create(ctx, p.Binding, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating binding %s: %v", p.Binding.Name, err)
		}
		t.Cleanup(func() {
			_ = api.ValidatingAdmissionPolicyBindings().Delete(ctx, p.Binding.Name, metav1.DeleteOptions{})
			_ = api.ValidatingAdmissionPolicies().Delete(ctx, p.Policy.Name, metav1.DeleteOptions{})
		})
	}
}

// generate is policy.Generate for tests: a fresh name and bindings that
// select only namespaces labelled mode=<mode>.
func generate(t *testing.T, mode string, opts policy.Options) *policy.Set {
	t.Helper()
	opts.Name = "t-" + mode
	opts.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{modeLabel: mode}}
	set, err := policy.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// modeLabel labels a test's namespaces with the bindings that select them.
const modeLabel = "vmhealth.io/test-mode"

// outcome is what the API server did with one create request.
type outcome struct {
	// Denied is the message of the policy that denied the request.
	Denied string
	// Refused is any other error, such as the CRD schema's.
	Refused error
	// Warnings are the policies' warnings, without the API server's
	// prefix.
	Warnings []string
}

// create creates obj in ns under name, validated strictly as kubectl does
// by default; dryRun leaves nothing behind.
func (c *cluster) create(ctx context.Context, obj map[string]any, ns, name string, dryRun bool) outcome {
	u := &unstructured.Unstructured{Object: deepCopy(obj)}
	u.SetNamespace(ns)
	u.SetName(name)
	u.SetGenerateName("")
	u.SetResourceVersion("")
	var out outcome
	gvr, ok := resources[u.GetKind()]
	if !ok {
		out.Refused = fmt.Errorf("no resource for kind %q", u.GetKind())
		return out
	}
	if gv, err := schema.ParseGroupVersion(u.GetAPIVersion()); err == nil && gv.Group == gvr.Group {
		gvr.Version = gv.Version
	}
	w := &warnings{}
	opts := metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err := c.dynamic.Resource(gvr).Namespace(ns).Create(context.WithValue(ctx, warningsKey{}, w), u, opts)
	if err != nil {
		if msg, ok := deniedMessage(err); ok {
			out.Denied = msg
		} else {
			out.Refused = err
		}
	}
	// Other warnings, such as that of a deprecated apiVersion, are not the
	// policies'.
	for _, text := range w.list {
		if !strings.HasPrefix(text, "Validation failed for ValidatingAdmissionPolicy '") {
			continue
		}
		if _, msg, ok := strings.Cut(text, "' with binding '"); ok {
			if _, msg, ok = strings.Cut(msg, "': "); ok {
				out.Warnings = append(out.Warnings, msg)
				continue
			}
		}
		out.Warnings = append(out.Warnings, text)
	}
	return out
}

// deniedMessage returns the message of a ValidatingAdmissionPolicy that
// denied a request.
func deniedMessage(err error) (string, bool) {
	var se *apierrors.StatusError
	if !errors.As(err, &se) {
		return "", false
	}
	_, msg, ok := strings.Cut(se.ErrStatus.Message, "' denied request: ")
	if !ok || !strings.Contains(se.ErrStatus.Message, "ValidatingAdmissionPolicy '") {
		return "", false
	}
	return msg, true
}

func deepCopy(obj map[string]any) map[string]any { return runtime.DeepCopyJSON(obj) }

// waitActive waits until the policies for every kind act in namespace
// ns: an API server loads new policies asynchronously. It sends each kind
// a liveness probe with successThreshold 2 until the request is denied (or
// warned about), as a dry run.
func (c *cluster) waitActive(t *testing.T, ns string, warn bool) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for kind := range resources {
		obj := badObject(kind)
		for {
			out := c.create(ctx, obj, ns, "probe-activation", true)
			if out.Refused != nil {
				t.Fatalf("%s: %v", kind, out.Refused)
			}
			active := out.Denied != ""
			if warn {
				active = len(out.Warnings) > 0
			}
			if active {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the policy for %s did not act in namespace %s within 60 s", kind, ns)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// vmiSpec is a VMI spec whose liveness probe breaks
// liveness-success-threshold and nothing else.
func vmiSpec() map[string]any {
	return map[string]any{
		"domain": map[string]any{
			"devices":   map[string]any{},
			"resources": map[string]any{"requests": map[string]any{"memory": "1Gi"}},
		},
		"livenessProbe": map[string]any{
			"guestAgentPing":      map[string]any{},
			"initialDelaySeconds": int64(120),
			"successThreshold":    int64(2),
		},
	}
}

// badObject is an object of kind whose VMI spec is vmiSpec.
func badObject(kind string) map[string]any {
	gvr := resources[kind]
	obj := map[string]any{
		"apiVersion": gvr.GroupVersion().String(),
		"kind":       kind,
		"metadata":   map[string]any{"name": "x"},
	}
	labels := map[string]any{"app": "x"}
	template := map[string]any{"metadata": map[string]any{"labels": labels}, "spec": vmiSpec()}
	selector := map[string]any{"matchLabels": labels}
	switch kind {
	case "VirtualMachine":
		obj["spec"] = map[string]any{"runStrategy": "Halted", "template": template}
	case "VirtualMachineInstance":
		obj["spec"] = vmiSpec()
	case "VirtualMachineInstanceReplicaSet":
		obj["spec"] = map[string]any{"selector": selector, "template": template}
	case "VirtualMachinePool":
		obj["spec"] = map[string]any{"selector": selector, "virtualMachineTemplate": map[string]any{
			"metadata": map[string]any{"labels": labels},
			"spec":     map[string]any{"runStrategy": "Halted", "template": template},
		}}
	}
	return obj
}
