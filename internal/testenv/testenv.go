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
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
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

// Resources served by the installed CRDs.
var (
	VirtualMachines         = schema.GroupVersionResource{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachines"}
	VirtualMachineInstances = schema.GroupVersionResource{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachineinstances"}
	VirtualMachinePools     = schema.GroupVersionResource{Group: "pool.kubevirt.io", Version: "v1beta1", Resource: "virtualmachinepools"}
)

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

// WriteKubeconfig writes a kubeconfig file for the administrator into a
// temporary folder of the test and returns its path, for running a program
// with --kubeconfig. Its context sets no namespace.
func (e *Env) WriteKubeconfig(tb testing.TB) string {
	tb.Helper()
	return writeKubeconfig(tb, e.Config, "admin")
}

// User is an identity the API server authenticates by client certificate.
// Under RBAC it may do nothing beyond what system:authenticated may (discovery)
// until granted more with GrantRole or GrantClusterRole.
type User struct {
	Name   string
	Groups []string
	// Config connects as this user.
	Config *rest.Config
	// Dynamic and Kube are clients using Config.
	Dynamic dynamic.Interface
	Kube    kubernetes.Interface
}

// AddUser provisions a user with the given name and groups (added to the
// groups system:authenticated that every authenticated user has).
func (e *Env) AddUser(tb testing.TB, name string, groups ...string) *User {
	tb.Helper()
	e.mu.Lock()
	au, err := e.env.AddUser(envtest.User{Name: name, Groups: groups}, &rest.Config{QPS: 1000, Burst: 2000})
	e.mu.Unlock()
	if err != nil {
		tb.Fatalf("testenv: adding user %q: %v", name, err)
	}
	u := &User{Name: name, Groups: groups, Config: au.Config()}
	if u.Dynamic, err = dynamic.NewForConfig(u.Config); err == nil {
		u.Kube, err = kubernetes.NewForConfig(u.Config)
	}
	if err != nil {
		tb.Fatalf("testenv: clients for user %q: %v", name, err)
	}
	return u
}

// WriteKubeconfig writes a kubeconfig file for this user into a temporary
// folder of the test and returns its path.
func (u *User) WriteKubeconfig(tb testing.TB) string {
	tb.Helper()
	return writeKubeconfig(tb, u.Config, u.Name)
}

// GrantRole creates a Role with the given rules in namespace ns and binds it
// to the user. An empty rule list creates a Role that grants nothing.
func (e *Env) GrantRole(tb testing.TB, ns string, u *User, rules ...rbacv1.PolicyRule) {
	tb.Helper()
	ctx := context.Background()
	role, err := e.Kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vmhealth-test-"},
		Rules:      rules,
	}, metav1.CreateOptions{})
	if err != nil {
		tb.Fatalf("testenv: creating a Role in %s: %v", ns, err)
	}
	_, err = e.Kube.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: u.Name}},
	}, metav1.CreateOptions{})
	if err != nil {
		tb.Fatalf("testenv: creating a RoleBinding in %s: %v", ns, err)
	}
}

// GrantClusterRole creates a ClusterRole with the given rules and binds it to
// the user cluster-wide. Both are deleted when the test ends.
func (e *Env) GrantClusterRole(tb testing.TB, u *User, rules ...rbacv1.PolicyRule) {
	tb.Helper()
	ctx := context.Background()
	role, err := e.Kube.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vmhealth-test-"},
		Rules:      rules,
	}, metav1.CreateOptions{})
	if err != nil {
		tb.Fatalf("testenv: creating a ClusterRole: %v", err)
	}
	tb.Cleanup(func() {
		_ = e.Kube.RbacV1().ClusterRoleBindings().Delete(context.Background(), role.Name, metav1.DeleteOptions{})
		_ = e.Kube.RbacV1().ClusterRoles().Delete(context.Background(), role.Name, metav1.DeleteOptions{})
	})
	_, err = e.Kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: u.Name}},
	}, metav1.CreateOptions{})
	if err != nil {
		tb.Fatalf("testenv: creating a ClusterRoleBinding: %v", err)
	}
}

func writeKubeconfig(tb testing.TB, cfg *rest.Config, user string) string {
	tb.Helper()
	const name = "vmhealth-testenv"
	kc := clientcmdapi.NewConfig()
	kc.Clusters[name] = &clientcmdapi.Cluster{
		Server:                   cfg.Host,
		CertificateAuthorityData: cfg.CAData,
	}
	kc.AuthInfos[user] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData,
		ClientKeyData:         cfg.KeyData,
		Token:                 cfg.BearerToken,
	}
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: user}
	kc.CurrentContext = name
	path := filepath.Join(tb.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		tb.Fatalf("testenv: writing kubeconfig: %v", err)
	}
	return path
}

// RepoRoot returns the root of the vmhealth module, found by walking up from
// the working directory (a test runs in its package's folder) to the go.mod
// that declares module github.com/vmhealth/vmhealth.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && declaresModule(data, modulePath) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s in %s or above", modulePath, wd)
		}
		dir = parent
	}
}

func declaresModule(gomod []byte, path string) bool {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == path
		}
	}
	return false
}

// BinDir returns the folder expected to hold kube-apiserver and etcd:
// $VMHEALTH_TESTBIN if set (a relative path is taken from the repository
// root, as hack/testbin.sh does), else .cache/testbin at the repository root.
func BinDir() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	if d := os.Getenv(EnvTestbin); d != "" {
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		return d, nil
	}
	return filepath.Join(root, ".cache", "testbin"), nil
}

// checkFresh fails when hack/testbin.sh recorded (in tools.sum) that it built
// the binaries from another hack/tools/go.mod or go.sum than the current
// ones. Binaries put there by other means, without tools.sum, are trusted.
func checkFresh(root, bin string) error {
	recorded, err := os.ReadFile(filepath.Join(bin, "tools.sum"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	h := sha256.New()
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(root, "hack", "tools", name))
		if err != nil {
			return err
		}
		h.Write(data)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.TrimSpace(string(recorded)) {
		return fmt.Errorf("the binaries in %s were built from another hack/tools/go.mod or go.sum: rebuild them with `hack/testbin.sh`", bin)
	}
	return nil
}

// openLogs opens the files the control plane writes its output to; with
// VMHEALTH_TESTENV_VERBOSE=1 the output also goes to stderr.
func openLogs(dir string) (api, etcd io.Writer, closeAll func(), err error) {
	af, err := os.Create(filepath.Join(dir, "kube-apiserver.log"))
	if err != nil {
		return nil, nil, nil, err
	}
	ef, err := os.Create(filepath.Join(dir, "etcd.log"))
	if err != nil {
		af.Close()
		return nil, nil, nil, err
	}
	api, etcd = af, ef
	if os.Getenv(EnvVerbose) == "1" {
		api, etcd = io.MultiWriter(af, os.Stderr), io.MultiWriter(ef, os.Stderr)
	}
	return api, etcd, func() { af.Close(); ef.Close() }, nil
}

// logTail returns the last lines of a log file, formatted for an error.
func logTail(name, path string) string {
	data, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return fmt.Sprintf("\n--- last lines of %s output ---\n%s", name, strings.Join(lines, "\n"))
}

var loggerOnce sync.Once

// setLogger routes controller-runtime's log (which envtest uses) to stderr,
// errors and important messages only. Without a logger, controller-runtime
// prints a warning with a stack trace after 30 s.
func setLogger() {
	loggerOnce.Do(func() {
		ctrllog.SetLogger(funcr.New(func(prefix, args string) {
			fmt.Fprintln(os.Stderr, "testenv:", prefix, args)
		}, funcr.Options{Verbosity: 0}))
	})
}

// The shared environment of a test package (see Main and Shared).
var shared struct {
	mu      sync.Mutex
	inMain  bool
	started bool
	env     *Env
	err     error
}

// Main runs the package's tests for a TestMain that shares one environment
// among them, then stops it and exits with the tests' result:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// It also stops the environment when the test binary gets SIGINT or SIGTERM,
// since the control plane runs in its own process group and would outlive it.
// Main does not return.
func Main(m *testing.M) {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "testenv: %v: stopping the shared control plane\n", s)
		stopShared()
		os.Exit(2)
	}()

	code := m.Run()
	signal.Stop(sig)
	if err := stopShared(); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: stopping the shared control plane: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Shared returns the package's shared environment, starting it on first use.
// The package's TestMain must call Main (Shared fails the test otherwise, as
// nothing would stop the control plane). Like Start, it fails the test when
// the environment cannot start.
func Shared(tb testing.TB) *Env {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		tb.Fatalf("testenv: Shared needs the package's TestMain to call testenv.Main(m)")
	}
	if !shared.started {
		shared.started = true
		start := time.Now()
		shared.env, shared.err = New()
		if shared.err == nil {
			tb.Logf("testenv: shared control plane started in %v", time.Since(start).Round(time.Millisecond))
		}
	}
	if shared.err != nil {
		tb.Fatalf("testenv: %v", shared.err)
	}
	return shared.env
}

func stopShared() error {
	shared.mu.Lock()
	e := shared.env
	shared.mu.Unlock()
	if e == nil {
		return nil
	}
	return e.Stop()
}
