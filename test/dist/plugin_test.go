package dist

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKubectlPlugin installs vmhealth as kubectl-vmhealth in a directory
// of its own on PATH and runs it through kubectl's plugin mechanism.
func TestKubectlPlugin(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: kubectl is not installed (Debian package kubectl; .ci/run installs it)")
	}
	bin := t.TempDir()
	buildVmhealth(t, bin, "kubectl-vmhealth")
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+filepath.Join(t.TempDir(), "none"))

	run := func(args ...string) (string, int) {
		cmd := exec.Command(kubectl, args...)
		cmd.Dir = repoRoot
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return string(out), ee.ExitCode()
		case err != nil:
			t.Fatalf("kubectl %v: %v", args, err)
		}
		return string(out), 0
	}

	out, code := run("plugin", "list")
	if !strings.Contains(out, filepath.Join(bin, "kubectl-vmhealth")) {
		t.Errorf("kubectl plugin list (exit %d) does not list the plugin:\n%s", code, out)
	}
	out, code = run("vmhealth", "lint", "examples/broken/watchdog-explode.yaml")
	if code != 1 || !strings.Contains(out, "watchdog-action") || !strings.Contains(out, "examples/broken/watchdog-explode.yaml:") {
		t.Errorf("kubectl vmhealth lint: exit %d, want 1 with the watchdog-action finding:\n%s", code, out)
	}
	out, code = run("vmhealth", "lint", "examples/good/")
	if code != 0 {
		t.Errorf("kubectl vmhealth lint examples/good/: exit %d, want 0:\n%s", code, out)
	}
	out, code = run("vmhealth", "--help")
	if code != 0 || !strings.Contains(out, "kubectl vmhealth") {
		t.Errorf("kubectl vmhealth --help: exit %d, want the plugin's name in the usage:\n%s", code, out)
	}
}
