package testenv_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const fieldManager = "vmhealth-test"

// vmYAML is a small VirtualMachine with an HTTP readiness probe on the pod
// network; extra is appended to spec.template.spec.
func vmYAML(name, extra string) string {
	return `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: ` + name + `
spec:
  running: false
  template:
    spec:
      domain:
        devices:
          interfaces:
          - name: default
            masquerade: {}
        resources:
          requests:
            memory: 128Mi
      networks:
      - name: default
        pod: {}
      readinessProbe:
        httpGet:
          port: 1500
          path: /healthz
        initialDelaySeconds: 5
        periodSeconds: 10
` + extra
}

func object(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatalf("bad test object: %v", err)
	}
	return u
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestServerSideApplyVirtualMachine(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	vms := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns)

	applied, err := vms.Apply(ctx(t), "web", object(t, vmYAML("web", "")),
		metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
	if err != nil {
		t.Fatalf("server-side apply: %v", err)
	}
	if applied.GetUID() == "" {
		t.Fatalf("applied object has no UID: %v", applied.Object)
	}

	got, err := vms.Get(ctx(t), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	port, found, err := unstructured.NestedFieldNoCopy(got.Object, "spec", "template", "spec", "readinessProbe", "httpGet", "port")
	if err != nil || !found {
		t.Fatalf("readinessProbe.httpGet.port not found (err %v) in %v", err, got.Object["spec"])
	}
	if p, ok := port.(int64); !ok || p != 1500 {
		t.Errorf("readinessProbe.httpGet.port = %#v, want 1500", port)
	}
	// The API server stores the VM as given: probe defaults belong to the VMI.
	if _, found, _ := unstructured.NestedFieldNoCopy(got.Object, "spec", "template", "spec", "readinessProbe", "timeoutSeconds"); found {
		t.Errorf("timeoutSeconds was defaulted on the stored VM")
	}

	var managers []string
	for _, mf := range got.GetManagedFields() {
		managers = append(managers, mf.Manager+"/"+string(mf.Operation))
	}
	if !contains(managers, fieldManager+"/Apply") {
		t.Errorf("managed fields %v lack %s/Apply", managers, fieldManager)
	}
}

// KubeVirt has no startupProbe: the CRD schema does not declare it, so the
// API server rejects it under strict field validation.
func TestUnknownFieldRejected(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	vms := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns)
	bad := vmYAML("bad", `      startupProbe:
        httpGet:
          port: 1500
`)

	t.Run("create with fieldValidation=Strict", func(t *testing.T) {
		_, err := vms.Create(ctx(t), object(t, bad), metav1.CreateOptions{
			FieldManager: fieldManager, FieldValidation: metav1.FieldValidationStrict,
		})
		if err == nil {
			t.Fatal("the API server accepted spec.template.spec.startupProbe")
		}
		if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "startupProbe") {
			t.Fatalf("want a BadRequest naming startupProbe, got %v (reason %q)", err, apierrors.ReasonForError(err))
		}
		t.Logf("rejected: %v", err)
	})

	t.Run("server-side apply", func(t *testing.T) {
		_, err := vms.Apply(ctx(t), "bad", object(t, bad), metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
		if err == nil {
			t.Fatal("the API server accepted spec.template.spec.startupProbe")
		}
		if !strings.Contains(err.Error(), ".spec.template.spec.startupProbe") {
			t.Fatalf("error does not name .spec.template.spec.startupProbe: %v", err)
		}
		t.Logf("rejected: %v", err)
	})

	if _, err := vms.Get(ctx(t), "bad", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the rejected VM exists after all (get: %v)", err)
	}
}

func TestRBACForbidden(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)

	// The administrator creates the VM; the viewer may only read it.
	if _, err := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns).Apply(ctx(t), "web",
		object(t, vmYAML("web", "")), metav1.ApplyOptions{FieldManager: fieldManager, Force: true}); err != nil {
		t.Fatalf("apply as admin: %v", err)
	}
	viewer := env.AddUser(t, "viewer", "vmhealth:viewers")
	env.GrantRole(t, ns, viewer, rbacv1.PolicyRule{
		APIGroups: []string{"kubevirt.io"},
		Resources: []string{"virtualmachines"},
		Verbs:     []string{"get", "list", "watch"},
	})
	vms := viewer.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns)

	// RBAC rules apply at once, but give the authorizer's cache a moment.
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err = vms.Get(ctx(t), "web", metav1.GetOptions{}); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("viewer cannot get the VM it was granted: %v", err)
	}

	_, err = vms.Apply(ctx(t), "web", object(t, vmYAML("web", "")), metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("viewer's patch: want Forbidden, got %v", err)
	}
	if !strings.Contains(err.Error(), `"viewer"`) || !strings.Contains(err.Error(), "patch") {
		t.Errorf("Forbidden error names neither the user nor the verb: %v", err)
	}
	t.Logf("forbidden: %v", err)

	// A user with no grant at all cannot even read.
	nobody := env.AddUser(t, "nobody")
	_, err = nobody.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns).Get(ctx(t), "web", metav1.GetOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("ungranted get: want Forbidden, got %v", err)
	}
}

// The kubeconfig files are what the vmhealth binary gets via --kubeconfig.
func TestKubeconfig(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)

	for _, tc := range []struct {
		name      string
		path      string
		forbidden bool
	}{
		{"admin", env.WriteKubeconfig(t), false},
		{"user", env.AddUser(t, "kubeconfig-user").WriteKubeconfig(t), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
				&clientcmd.ClientConfigLoadingRules{ExplicitPath: tc.path}, nil).ClientConfig()
			if err != nil {
				t.Fatalf("loading %s: %v", tc.path, err)
			}
			dyn, err := dynamic.NewForConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = dyn.Resource(testenv.VirtualMachines).Namespace(ns).List(ctx(t), metav1.ListOptions{})
			if tc.forbidden {
				if !apierrors.IsForbidden(err) {
					t.Fatalf("list as an ungranted user: want Forbidden, got %v", err)
				}
			} else if err != nil {
				t.Fatalf("list: %v", err)
			}
		})
	}
}

func TestCRDsEstablished(t *testing.T) {
	env := testenv.Shared(t)
	if len(env.CRDs) != 8 {
		t.Errorf("installed CRDs = %v, want the 8 of testdata/crds", env.CRDs)
	}
	for _, gvr := range []struct{ group, version, resource string }{
		{"kubevirt.io", "v1", "virtualmachines"},
		{"kubevirt.io", "v1", "virtualmachineinstances"},
		{"pool.kubevirt.io", "v1beta1", "virtualmachinepools"},
		{"instancetype.kubevirt.io", "v1beta1", "virtualmachineinstancetypes"},
	} {
		list, err := env.Kube.Discovery().ServerResourcesForGroupVersion(gvr.group + "/" + gvr.version)
		if err != nil {
			t.Errorf("discovery of %s/%s: %v", gvr.group, gvr.version, err)
			continue
		}
		var names []string
		for _, r := range list.APIResources {
			names = append(names, r.Name)
		}
		if !contains(names, gvr.resource) {
			t.Errorf("%s/%s serves %v, not %s", gvr.group, gvr.version, names, gvr.resource)
		}
	}
}

// A missing binary is an error that says how to build it (tests then fail
// rather than skip).
func TestMissingBinaries(t *testing.T) {
	t.Setenv(testenv.EnvTestbin, t.TempDir())
	e, err := testenv.New()
	if err == nil {
		e.Stop()
		t.Fatal("New succeeded without binaries")
	}
	if !strings.Contains(err.Error(), "hack/testbin.sh") {
		t.Errorf("error does not say how to build the binaries: %v", err)
	}
}

// Binaries that hack/testbin.sh built from other pinned versions are refused.
func TestStaleBinaries(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"kube-apiserver", "etcd"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "tools.sum"), []byte("0123\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(testenv.EnvTestbin, dir)
	e, err := testenv.New()
	if err == nil {
		e.Stop()
		t.Fatal("New accepted binaries built from other versions")
	}
	if !strings.Contains(err.Error(), "rebuild them with `hack/testbin.sh`") {
		t.Errorf("error does not say to rebuild: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
