// Package testenv runs a real kube-apiserver and etcd with KubeVirt's
// CustomResourceDefinitions installed, for tests that need an API server to
// judge objects the way a cluster does (schema validation, server-side apply,
// RBAC).
//
// The binaries are not downloaded at test time: build them once with
//
//	hack/testbin.sh
//
// which puts kube-apiserver and etcd into .cache/testbin at the repository
// root (set VMHEALTH_TESTBIN to use another folder, for the script and the
// tests alike). A test that needs the harness FAILS, not skips, when the
// binaries are missing, so a CI run cannot pass by silently testing nothing.
//
// The CRDs come from testdata/crds (see testdata/crds/PROVENANCE.md).
//
// # One environment per test
//
// Start gives a test its own control plane, stopped when the test ends:
//
//	func TestSomething(t *testing.T) {
//		env := testenv.Start(t)
//		ns := env.Namespace(t)
//		_, err := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns).Apply(...)
//	}
//
// # One environment per test package
//
// Starting a control plane takes several seconds, so a package with many such
// tests should share one. Call Main from TestMain and Shared from the tests:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		env := testenv.Shared(t)
//		ns := env.Namespace(t) // a fresh namespace keeps tests apart
//		...
//	}
//
// The shared environment starts on the first call to Shared (so a run that
// selects none of these tests starts nothing) and is stopped by Main after
// all tests have run. If it cannot start, every test that calls Shared fails
// with the same error. Tests sharing it must not depend on cluster-wide state
// that another test changes; use Namespace and unique names.
//
// # Users and RBAC
//
// Env.Config authenticates as an administrator (group system:masters). The
// API server authorizes with RBAC, so AddUser gives an identity that can do
// nothing until it is granted rules with GrantRole or GrantClusterRole:
//
//	u := env.AddUser(t, "alice")
//	env.GrantRole(t, ns, u, rbacv1.PolicyRule{
//		APIGroups: []string{"kubevirt.io"}, Resources: []string{"virtualmachines"},
//		Verbs: []string{"get", "list"},
//	})
//	_, err := u.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns).Apply(...)
//	// apierrors.IsForbidden(err) == true
//
// To run the vmhealth binary itself against the API server, pass it
// --kubeconfig with the file from Env.WriteKubeconfig or User.WriteKubeconfig.
package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
)

// Environment variables read by this package.
const (
	// EnvTestbin names the folder holding kube-apiserver and etcd, instead
	// of .cache/testbin at the repository root. hack/testbin.sh reads it too.
	EnvTestbin = "VMHEALTH_TESTBIN"
	// EnvVerbose, when "1", copies the control plane's output to stderr.
	EnvVerbose = "VMHEALTH_TESTENV_VERBOSE"
)

const modulePath = "github.com/vmhealth/vmhealth"

// Resources served by the installed CRDs, at the first version each
// serves (from the kinds table).
var (
	VirtualMachines         = resourceOf(kubevirtkinds.VirtualMachine)
	VirtualMachineInstances = resourceOf(kubevirtkinds.VirtualMachineInstance)
	VirtualMachinePools     = resourceOf(kubevirtkinds.VirtualMachinePool)
)

func resourceOf(k *kubevirtkinds.Kind) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: k.Group, Version: k.Versions[0].Name, Resource: k.Resource}
}

// crdGVR is the resource of CustomResourceDefinitions themselves.
var crdGVR = apiextensionsv1.SchemeGroupVersion.WithResource("customresourcedefinitions")

// Timeouts. Two busy cores can be slow to bring up an API server, so these
// are far above the usual 2-5 s.
const (
	controlPlaneTimeout = 90 * time.Second
	crdTimeout          = 60 * time.Second
)

// Env is a running kube-apiserver + etcd with KubeVirt's CRDs established.
// Its clients act as an administrator. It is safe for concurrent use.
type Env struct {
	// Config connects to the API server as an administrator
	// (user "admin", group system:masters). Copy it before changing it.
	Config *rest.Config
	// Dynamic is a dynamic client using Config.
	Dynamic dynamic.Interface
	// Kube is a typed client for built-in kinds, using Config.
	Kube kubernetes.Interface
	// CRDs lists the names of the installed CustomResourceDefinitions.
	CRDs []string

	env       *envtest.Environment
	logDir    string
	closeLogs func()

	mu      sync.Mutex // serializes AddUser and Stop
	stopped bool
	stopErr error
}

// Start starts a control plane for this test alone and stops it when the
// test and its subtests end. It fails the test (never skips it) when the
// binaries are missing or the control plane cannot start.
func Start(tb testing.TB) *Env {
	tb.Helper()
	e, err := New()
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(func() {
		if err := e.Stop(); err != nil {
			tb.Errorf("testenv: stopping the control plane: %v", err)
		}
	})
	return e
}

// New starts a control plane without a testing.TB, for callers that manage
// its lifetime themselves; they must call Stop. Most tests want Start or
// Shared instead.
func New() (*Env, error) {
	setLogger()
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	apiserverPath := filepath.Join(bin, "kube-apiserver")
	etcdPath := filepath.Join(bin, "etcd")
	for _, p := range []string{apiserverPath, etcdPath} {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return nil, fmt.Errorf("%s is missing or not executable: build the test binaries with `hack/testbin.sh` "+
				"(from the repository root; a cold build takes 5-7 minutes), or set %s to a folder holding kube-apiserver and etcd",
				p, EnvTestbin)
		}
	}
	if err := checkFresh(root, bin); err != nil {
		return nil, err
	}

	logDir, err := os.MkdirTemp("", "vmhealth-testenv-")
	if err != nil {
		return nil, err
	}
	apiLog, etcdLog, closeLogs, err := openLogs(logDir)
	if err != nil {
		os.RemoveAll(logDir)
		return nil, err
	}

	useExisting := false
	te := &envtest.Environment{
		// Never USE_EXISTING_CLUSTER=true: these tests must not install
		// CRDs into whatever cluster the environment points at.
		UseExistingCluster:       &useExisting,
		BinaryAssetsDirectory:    bin,
		CRDDirectoryPaths:        []string{filepath.Join(root, "testdata", "crds")},
		ErrorIfCRDPathMissing:    true,
		ControlPlaneStartTimeout: controlPlaneTimeout,
		ControlPlaneStopTimeout:  controlPlaneTimeout,
	}
	// Explicit paths, so that KUBEBUILDER_ASSETS or TEST_ASSET_* in the
	// environment cannot swap in other binaries.
	te.ControlPlane.APIServer = &envtest.APIServer{Path: apiserverPath, Out: apiLog, Err: apiLog}
	te.ControlPlane.Etcd = &envtest.Etcd{Path: etcdPath, Out: etcdLog, Err: etcdLog}
	te.CRDInstallOptions.MaxTime = crdTimeout

	cfg, err := te.Start()
	if err != nil {
		// envtest may have started some processes before failing.
		_ = te.Stop()
		closeLogs()
		msg := fmt.Sprintf("starting kube-apiserver and etcd from %s: %v", bin, err)
		msg += logTail("kube-apiserver", filepath.Join(logDir, "kube-apiserver.log"))
		msg += logTail("etcd", filepath.Join(logDir, "etcd.log"))
		os.RemoveAll(logDir)
		return nil, errors.New(msg)
	}

	e := &Env{env: te, logDir: logDir, closeLogs: closeLogs}
	e.Config = rest.CopyConfig(cfg)
	if e.Dynamic, err = dynamic.NewForConfig(e.Config); err == nil {
		e.Kube, err = kubernetes.NewForConfig(e.Config)
	}
	if err == nil {
		for _, crd := range te.CRDs {
			e.CRDs = append(e.CRDs, crd.Name)
		}
		err = e.waitEstablished(context.Background())
	}
	if err != nil {
		_ = te.Stop()
		closeLogs()
		os.RemoveAll(logDir)
		return nil, err
	}
	return e, nil
}

// Stop stops the API server and etcd and removes their files. Calling it
// again returns the first result.
func (e *Env) Stop() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return e.stopErr
	}
	e.stopped = true
	e.stopErr = e.env.Stop()
	e.closeLogs()
	if e.stopErr == nil {
		os.RemoveAll(e.logDir)
	} else {
		e.stopErr = fmt.Errorf("%w (control plane logs kept in %s)", e.stopErr, e.logDir)
	}
	return e.stopErr
}

// waitEstablished waits until every installed CRD reports the Established
// and NamesAccepted conditions (envtest itself only waits for discovery).
func (e *Env) waitEstablished(ctx context.Context) error {
	var pending []string
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, crdTimeout, true, func(ctx context.Context) (bool, error) {
		pending = pending[:0]
		for _, name := range e.CRDs {
			u, err := e.Dynamic.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				pending = append(pending, name+": "+err.Error())
				continue
			}
			var crd apiextensionsv1.CustomResourceDefinition
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &crd); err != nil {
				return false, err
			}
			if !hasCondition(&crd, apiextensionsv1.Established) || !hasCondition(&crd, apiextensionsv1.NamesAccepted) {
				pending = append(pending, name)
			}
		}
		return len(pending) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("CRDs not established within %v: %s: %w", crdTimeout, strings.Join(pending, ", "), err)
	}
	return nil
}

func hasCondition(crd *apiextensionsv1.CustomResourceDefinition, t apiextensionsv1.CustomResourceDefinitionConditionType) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == t && c.Status == apiextensionsv1.ConditionTrue {
			return true
		}
	}
	return false
}

// Namespace creates a namespace with a unique name for this test and returns
// its name. The namespace is deleted when the test ends (no namespace
// controller runs here, so it stays Terminating; that is harmless).
func (e *Env) Namespace(tb testing.TB) string {
	tb.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "vmhealth-test-"}}
	ns, err := e.Kube.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{})
	if err != nil {
		tb.Fatalf("testenv: creating a namespace: %v", err)
	}
	tb.Cleanup(func() {
		_ = e.Kube.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	return ns.Name
}
