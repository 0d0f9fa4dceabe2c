package e2e

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

var replicaSets = schema.GroupVersionResource{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachineinstancereplicasets"}

// setupManager is the field manager that creates the test objects, as
// kubectl create would.
const setupManager = "kubectl-create"

// webVM is a VirtualMachine without health checks: pod network with
// masquerade (every port forwarded), runStrategy Always.
const webVM = `
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: NAME
  labels:
    app: web
spec:
  runStrategy: Always
  template:
    metadata:
      labels:
        app: web
    spec:
      domain:
        devices:
          interfaces:
          - name: default
            masquerade: {}
        memory:
          guest: 1Gi
      networks:
      - name: default
        pod: {}
`

// readinessStanza is what vmhealth gen --readiness http:1500/healthz
// writes, with timing.
const readinessStanza = `spec:
  template:
    spec:
      readinessProbe:
        httpGet:
          port: 1500
          path: /healthz
        initialDelaySeconds: 120
        periodSeconds: 20
        timeoutSeconds: 10
        failureThreshold: 3
`

// obj decodes a YAML manifest, replacing NAME with name.
func obj(t *testing.T, manifest, name string, mutate ...func(map[string]any)) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	u.SetName(name)
	for _, m := range mutate {
		m(u.Object)
	}
	return u
}

// create creates an object in ns as setupManager.
func create(t *testing.T, env *testenv.Env, gvr schema.GroupVersionResource, ns string, u *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	out, err := env.Dynamic.Resource(gvr).Namespace(ns).Create(context.Background(), u, metav1.CreateOptions{FieldManager: setupManager})
	if err != nil {
		t.Fatalf("creating %s %s/%s: %v", u.GetKind(), ns, u.GetName(), err)
	}
	return out
}

func get(t *testing.T, env *testenv.Env, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := env.Dynamic.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting %s/%s: %v", ns, name, err)
	}
	return u
}

// field returns the value at a dotted path below spec.template.spec.
func field(t *testing.T, u *unstructured.Unstructured, path ...string) any {
	t.Helper()
	v, _, err := unstructured.NestedFieldNoCopy(u.Object, append([]string{"spec", "template", "spec"}, path...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// managers lists the field managers of an object and their operations.
func managers(u *unstructured.Unstructured) map[string]metav1.ManagedFieldsOperationType {
	out := map[string]metav1.ManagedFieldsOperationType{}
	for _, e := range u.GetManagedFields() {
		out[e.Manager] = e.Operation
	}
	return out
}
