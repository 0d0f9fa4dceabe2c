package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/internal/cli"
	"github.com/vmhealth/vmhealth/policy"
	"github.com/vmhealth/vmhealth/validate"
)

// successThresholdDenial is what the policies say about vmiSpec's probe,
// after the path of the VMI spec.
const successThresholdDenial = ".livenessProbe.successThreshold: successThreshold is 2, but a liveness probe must have 1: Kubernetes rejects the virt-launcher pod, so the VM never starts"

// TestKinds checks that each kind's policy finds the VMI spec where that
// kind keeps it and names the field from the object's root.
func TestKinds(t *testing.T) {
	c := newCluster(t)
	c.install(t, generate(t, "kinds", policy.Options{}))
	ns := c.namespace(t, map[string]string{modeLabel: "kinds"})
	c.waitActive(t, ns, false)
	for _, k := range policy.Kinds {
		t.Run(k.Kind, func(t *testing.T) {
			out := c.create(context.Background(), badObject(k.Kind), ns, "bad", false)
			want := "[liveness-success-threshold] " + k.SpecPath + successThresholdDenial
			if out.Denied != want || out.Refused != nil {
				t.Errorf("denied: %q, refused: %v\nwant denied: %q", out.Denied, out.Refused, want)
			}
		})
	}
	t.Run("a VirtualMachine without a VMI spec", func(t *testing.T) {
		vm := badObject("VirtualMachine")
		vm["spec"] = map[string]any{"runStrategy": "Halted", "template": map[string]any{}}
		if out := c.create(context.Background(), vm, ns, "no-spec", false); out.Denied != "" || out.Refused != nil {
			t.Errorf("denied: %q, refused: %v", out.Denied, out.Refused)
		}
	})
}

// TestWarn checks action Warn: the object is stored and the client is
// told why it breaks the rules.
func TestWarn(t *testing.T) {
	c := newCluster(t)
	c.install(t, generate(t, "warn", policy.Options{Actions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn}}))
	ns := c.namespace(t, map[string]string{modeLabel: "warn"})
	c.waitActive(t, ns, true)
	out := c.create(context.Background(), badObject("VirtualMachine"), ns, "warned", false)
	if out.Denied != "" || out.Refused != nil {
		t.Fatalf("not admitted: denied %q, refused %v", out.Denied, out.Refused)
	}
	want := "[liveness-success-threshold] spec.template.spec" + successThresholdDenial
	if len(out.Warnings) != 1 || out.Warnings[0] != want {
		t.Errorf("warnings %q, want [%q]", out.Warnings, want)
	}
	if _, err := c.dynamic.Resource(resources["VirtualMachine"]).Namespace(ns).Get(context.Background(), "warned", metav1.GetOptions{}); err != nil {
		t.Errorf("the VM was not stored: %v", err)
	}
}

// TestUpdate checks updates: a change of the VMI spec is held to the
// rules, a change elsewhere is not, so that controllers can keep managing
// objects that broke the rules before the policy came; and the
// vmhealth.io/ignore annotation silences a rule as it does for lint.
func TestUpdate(t *testing.T) {
	c := newCluster(t)
	c.install(t, generate(t, "update", policy.Options{}))
	ns := c.namespace(t, map[string]string{modeLabel: "update"})
	c.waitActive(t, ns, false)
	ctx := context.Background()
	vms := c.dynamic.Resource(resources["VirtualMachine"]).Namespace(ns)

	good := badObject("VirtualMachine")
	probe := func(u *unstructured.Unstructured) map[string]any {
		return u.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["livenessProbe"].(map[string]any)
	}
	u := &unstructured.Unstructured{Object: deepCopy(good)}
	u.SetName("vm")
	delete(probe(u), "successThreshold")
	created, err := vms.Create(ctx, u, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("a valid VM: %v", err)
	}

	probe(created)["successThreshold"] = int64(3)
	_, err = vms.Update(ctx, created, metav1.UpdateOptions{})
	if msg, ok := deniedMessage(err); !ok || !strings.Contains(msg, "successThreshold is 3") {
		t.Fatalf("breaking the probe in an update: %v", err)
	}

	// Created while ignored, the broken VM stays manageable.
	ignored := &unstructured.Unstructured{Object: deepCopy(good)}
	ignored.SetName("ignored")
	ignored.SetAnnotations(map[string]string{validate.IgnoreAnnotation: "probe-port-range, liveness-success-threshold"})
	ignored, err = vms.Create(ctx, ignored, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("a VM whose annotation ignores the rule: %v", err)
	}
	ignored.SetAnnotations(nil)
	ignored.SetLabels(map[string]string{"team": "a"})
	if ignored, err = vms.Update(ctx, ignored, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("an update that leaves the VMI spec alone: %v", err)
	}
	probe(ignored)["periodSeconds"] = int64(30)
	_, err = vms.Update(ctx, ignored, metav1.UpdateOptions{})
	if _, ok := deniedMessage(err); !ok {
		t.Fatalf("changing the VMI spec of a VM that breaks a rule: %v", err)
	}

	all := &unstructured.Unstructured{Object: deepCopy(good)}
	all.SetName("all")
	all.SetAnnotations(map[string]string{validate.IgnoreAnnotation: "all"})
	if _, err := vms.Create(ctx, all, metav1.CreateOptions{}); err != nil {
		t.Errorf("ignore: all: %v", err)
	}
	other := &unstructured.Unstructured{Object: deepCopy(good)}
	other.SetName("other")
	other.SetAnnotations(map[string]string{validate.IgnoreAnnotation: "watchdog-action"})
	if _, err := vms.Create(ctx, other, metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("ignoring another rule: %v", err)
	}
}

// TestNoIgnoreAnnotation checks --no-ignore-annotation.
func TestNoIgnoreAnnotation(t *testing.T) {
	c := newCluster(t)
	c.install(t, generate(t, "strict", policy.Options{NoIgnoreAnnotation: true}))
	ns := c.namespace(t, map[string]string{modeLabel: "strict"})
	c.waitActive(t, ns, false)
	vm := badObject("VirtualMachine")
	vm["metadata"] = map[string]any{"annotations": map[string]any{validate.IgnoreAnnotation: "all"}}
	if out := c.create(context.Background(), vm, ns, "vm", false); out.Denied == "" {
		t.Errorf("admitted: %+v", out)
	}
}

// TestCLIOutputInstalls installs what the vmhealth policy command prints,
// in YAML and in JSON, as kubectl apply would take it.
func TestCLIOutputInstalls(t *testing.T) {
	c := newCluster(t)
	for _, format := range []string{"yaml", "json"} {
		t.Run(format, func(t *testing.T) {
			ios, _, stdout, stderr := cli.Test()
			f := &cli.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Registry: validate.DefaultRegistry,
				BuildInfo: func() (*debug.BuildInfo, bool) { return nil, false }}
			mode := "cli-" + format
			code := cli.Run(context.Background(), f, []string{"policy", "--no-config", "--check", "--crds", "../../testdata/crds",
				"-o", format, "--name", "t-" + mode, "--namespace-selector", modeLabel + "=" + mode})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			objs := decodeObjects(t, stdout.Bytes())
			if len(objs) != 2*len(policy.Kinds) {
				t.Fatalf("%d objects", len(objs))
			}
			ctx := context.Background()
			for _, obj := range objs {
				gvr := admissionregistrationv1.SchemeGroupVersion.WithResource(map[string]string{
					"ValidatingAdmissionPolicy":        "validatingadmissionpolicies",
					"ValidatingAdmissionPolicyBinding": "validatingadmissionpolicybindings",
				}[obj.GetKind()])
				if _, err := c.dynamic.Resource(gvr).Create(ctx, obj, metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}); err != nil {
					t.Fatalf("creating %s %s: %v", obj.GetKind(), obj.GetName(), err)
				}
				t.Cleanup(func() { _ = c.dynamic.Resource(gvr).Delete(ctx, obj.GetName(), metav1.DeleteOptions{}) })
			}
			ns := c.namespace(t, map[string]string{modeLabel: mode})
			c.waitActive(t, ns, false)
		})
	}
}

// decodeObjects reads the policy command's output: YAML documents or a
// JSON List.
func decodeObjects(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		var list unstructured.UnstructuredList
		if err := json.Unmarshal(data, &list); err != nil {
			t.Fatal(err)
		}
		for i := range list.Items {
			out = append(out, &list.Items[i])
		}
		return out
	}
	for _, doc := range strings.Split(string(data), "\n---\n")[1:] {
		var m map[string]any
		if err := yaml.UnmarshalStrict([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}
