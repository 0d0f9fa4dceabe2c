package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

// complete runs cobra's hidden __complete command, as the shell scripts of
// vmhealth completion do on TAB, and returns the completions and the
// directive (":4" is ShellCompDirectiveNoFileComp).
func complete(t *testing.T, args ...string) (names []string, directive string, r result) {
	t.Helper()
	r = vmhealth(t, "", append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		t.Fatalf("__complete %s: exit %d\n%s", strings.Join(args, " "), r.code, r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	directive = lines[len(lines)-1]
	if !strings.HasPrefix(directive, ":") {
		t.Fatalf("__complete %s: no directive line\n%s", strings.Join(args, " "), r)
	}
	return lines[:len(lines)-1], directive, r
}

// wantCompletions fails unless __complete args offers exactly want (in any
// order) and no files.
func wantCompletions(t *testing.T, want []string, args ...string) {
	t.Helper()
	got, directive, r := complete(t, args...)
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("__complete %s: %q, want %q\n%s", strings.Join(args, " "), got, want, r)
	}
	if directive != ":4" {
		t.Errorf("__complete %s: directive %s, want :4 (no file completion)", strings.Join(args, " "), directive)
	}
}

// apply's names complete from the cluster the command line points at,
// as kubectl's do: -n, else the context's namespace; TYPE/NAME; names
// already given are not offered again; --vm and -n and --context too.
func TestCompleteApplyNames(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	other := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	for _, name := range []string{"web-1", "web-2", "db-1"} {
		create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, name))
	}
	create(t, env, testenv.VirtualMachines, other, obj(t, webVM, "elsewhere"))
	tmpl := obj(t, webVM, "x").Object["spec"].(map[string]any)["template"]
	create(t, env, testenv.VirtualMachinePools, ns, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "pool.kubevirt.io/v1beta1", "kind": "VirtualMachinePool",
		"metadata": map[string]any{"name": "pool-a"},
		"spec": map[string]any{
			"replicas": int64(0),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"virtualMachineTemplate": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec":     map[string]any{"runStrategy": "Always", "template": tmpl},
			},
		},
	}})

	conn := []string{"--kubeconfig", kc, "-n", ns}
	wantCompletions(t, []string{"web-1", "web-2", "db-1"}, slices.Concat([]string{"apply"}, conn, []string{""})...)
	wantCompletions(t, []string{"web-1", "web-2"}, slices.Concat([]string{"apply"}, conn, []string{"we"})...)
	wantCompletions(t, []string{"web-2", "db-1"}, slices.Concat([]string{"apply"}, conn, []string{"web-1", ""})...)
	wantCompletions(t, []string{"vm/web-1", "vm/web-2"}, slices.Concat([]string{"apply"}, conn, []string{"vm/w"})...)
	wantCompletions(t, []string{"vmpool/pool-a"}, slices.Concat([]string{"apply"}, conn, []string{"vmpool/"})...)
	// After a TYPE/NAME the names are of that kind, as apply takes them.
	wantCompletions(t, nil, slices.Concat([]string{"apply"}, conn, []string{"vmpool/pool-a", ""})...)
	wantCompletions(t, []string{"pool-a"}, slices.Concat([]string{"apply"}, conn, []string{"--kind", "vmpool", ""})...)
	wantCompletions(t, []string{"elsewhere"}, "apply", "--kubeconfig", kc, "--namespace", other, "")
	// --vm takes a comma-separated list.
	wantCompletions(t, []string{"web-1,web-2", "web-1,db-1"}, slices.Concat([]string{"apply"}, conn, []string{"--vm", "web-1,"})...)
	// -l and -f choose the objects already: no names.
	wantCompletions(t, nil, slices.Concat([]string{"apply"}, conn, []string{"-l", "app=web", ""})...)

	// -n completes the cluster's namespaces.
	got, _, r := complete(t, "apply", "--kubeconfig", kc, "-n", "")
	for _, n := range []string{ns, other, "default"} {
		if !slices.Contains(got, n) {
			t.Errorf("-n completion lacks namespace %s: %q\n%s", n, got, r)
		}
	}
	wantCompletions(t, []string{other}, "lint", "--cluster", "--kubeconfig", kc, "-n", other)

	// Without -n, the context's namespace; --context picks the context, and
	// the current one here points at a server that does not exist.
	cfg, err := clientcmd.LoadFromFile(kc)
	if err != nil {
		t.Fatal(err)
	}
	good := cfg.CurrentContext
	cfg.Contexts[good].Namespace = ns
	cfg.Clusters["nowhere"] = &clientcmdapi.Cluster{Server: "http://" + closedAddr(t)}
	cfg.Contexts["nowhere"] = &clientcmdapi.Context{Cluster: "nowhere", AuthInfo: cfg.Contexts[good].AuthInfo}
	cfg.CurrentContext = "nowhere"
	two := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, two); err != nil {
		t.Fatal(err)
	}
	wantCompletions(t, []string{"web-1", "web-2", "db-1"}, "apply", "--kubeconfig", two, "--context", good, "")
	wantCompletions(t, nil, "apply", "--kubeconfig", two, "")
	wantCompletions(t, []string{good, "nowhere"}, "apply", "--kubeconfig", two, "--context", "")
	wantCompletions(t, []string{"nowhere"}, "apply", "--kubeconfig", two, "--context", "no")
}

// closedAddr is a local address where nothing listens: connections are
// refused at once.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// A cluster that does not answer gives no names, no message and no file
// names, and the TAB returns: at once when the connection is refused,
// after the completion's own short bound when the server accepts and
// never replies (kube.DefaultTimeout, 30 s a request, would otherwise
// hold the shell).
func TestCompleteUnreachableCluster(t *testing.T) {
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	// The handlers return when vmhealth gives up and closes the connection.
	t.Cleanup(hung.Close)

	for _, tc := range []struct {
		name   string
		server string
		args   []string
	}{
		{"refused", "http://" + closedAddr(t), []string{"apply", ""}},
		{"hung", hung.URL, []string{"apply", ""}},
		{"hung namespace", hung.URL, []string{"apply", "-n", ""}},
		{"hung flag", hung.URL, []string{"apply", "--vm", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := clientcmdapi.NewConfig()
			cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: tc.server}
			cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{}
			cfg.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u", Namespace: "demo"}
			cfg.CurrentContext = "c"
			kc := filepath.Join(t.TempDir(), "kubeconfig")
			if err := clientcmd.WriteToFile(*cfg, kc); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got, directive, r := complete(t, append([]string{tc.args[0], "--kubeconfig", kc}, tc.args[1:]...)...)
			elapsed := time.Since(start)
			if len(got) != 0 || directive != ":4" {
				t.Errorf("completions %q, directive %s; want none and :4\n%s", got, directive, r)
			}
			if strings.Contains(r.stderr, "vmhealth:") {
				t.Errorf("completion printed an error\n%s", r)
			}
			// Not a speed target: the bound is 5 s, and a request left to
			// kube.DefaultTimeout would take 30 s.
			if elapsed > 20*time.Second {
				t.Errorf("completion took %v: the unanswering server held it", elapsed)
			}
		})
	}

	// No kubeconfig at all (the test's HOME has no ~/.kube): nothing.
	wantCompletions(t, nil, "apply", "")
}
