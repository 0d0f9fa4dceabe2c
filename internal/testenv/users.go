package testenv

// Identities: the administrator's kubeconfig, users by client
// certificate, and the RBAC roles that grant them what a test needs.

import (
	"context"
	"path/filepath"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

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
