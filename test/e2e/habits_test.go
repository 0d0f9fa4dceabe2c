package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

// apply NAME... as kubectl takes names: in the namespace of -n, else of
// the kubeconfig's context; TYPE/NAME; a missing VM is named in the error.
func TestApplyNames(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	for _, name := range []string{"web-1", "web-2", "web-3"} {
		create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, name))
	}

	r := vmhealth(t, "", "apply", "web-1", "vm/web-2", "--kubeconfig", kc, "-n", ns, "--readiness", "tcp:22", "--initial-delay", "120")
	want(t, r, 0, "2 objects: 2 applied")
	wantRow(t, r, "web-1", "applied readinessProbe; restart required")
	wantRow(t, r, "web-2", "applied readinessProbe; restart required")
	if field(t, get(t, env, testenv.VirtualMachines, ns, "web-3"), "readinessProbe") != nil {
		t.Error("web-3 was not named but got a readinessProbe")
	}

	// The context's namespace, as kubectl uses it without -n.
	cfg, err := clientcmd.LoadFromFile(kc)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Contexts[cfg.CurrentContext].Namespace = ns
	nsKC := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, nsKC); err != nil {
		t.Fatal(err)
	}
	r = vmhealth(t, "", "apply", "web-3", "ghost", "--kubeconfig", nsKC, "--liveness", "tcp:22", "--liveness-initial-delay", "300")
	want(t, r, 1, `VirtualMachine "ghost" not found in namespace "`+ns+`"`)
	wantRow(t, r, "web-3", "applied livenessProbe; restart required")
	wantRow(t, r, "ghost", "failed not found")

	// A pool by TYPE/NAME that is not there: the kind is in the error.
	r = vmhealth(t, "", "apply", "vmpool/web-1", "--kubeconfig", kc, "-n", ns, "--readiness", "tcp:22")
	want(t, r, 1, `VirtualMachinePool "web-1" not found in namespace "`+ns+`"`)
}

// apply -f DIR reads the directory one level deep, -R all of it, as
// kubectl apply does.
func TestApplyFilenameDirectory(t *testing.T) {
	env := testenv.Shared(t)
	ns := env.Namespace(t)
	kc := env.WriteKubeconfig(t)
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "top"))
	create(t, env, testenv.VirtualMachines, ns, obj(t, webVM, "deep"))
	manifest := func(name string) string {
		return strings.Replace(webVM, "NAME", name, 1) + "      readinessProbe:\n        tcpSocket: {port: 22}\n        initialDelaySeconds: 120\n"
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"top.yaml": manifest("top"), "sub/deep.yaml": manifest("deep"), "README.md": "not a manifest"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	r := vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "-f", dir)
	want(t, r, 0, "1 object: 1 applied")
	if field(t, get(t, env, testenv.VirtualMachines, ns, "deep"), "readinessProbe") != nil {
		t.Error("-f DIR without -R went into the subdirectory")
	}
	r = vmhealth(t, "", "apply", "--kubeconfig", kc, "-n", ns, "-f", dir, "-R")
	want(t, r, 0, "2 objects: 1 applied, 1 unchanged")
	wantRow(t, r, "deep", "applied readinessProbe; restart required")
}
