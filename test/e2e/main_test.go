// Package e2e runs the real vmhealth binary against a real kube-apiserver
// and etcd with KubeVirt's CustomResourceDefinitions (internal/testenv):
// vmhealth apply and vmhealth lint --cluster, end to end, as a user runs
// them with --kubeconfig.
//
// The binary is built once by TestMain; the control plane is shared by all
// tests, each in its own namespace. Build kube-apiserver and etcd first with
// hack/testbin.sh.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

// vmhealthBin is the binary under test.
var vmhealthBin string

func TestMain(m *testing.M) {
	bin, err := build()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building vmhealth: %v\n", err)
		os.Exit(2)
	}
	vmhealthBin = bin
	testenv.Main(m)
}

// build compiles cmd/vmhealth into .cache/e2e at the repository root (an
// ignored folder, so the build cache makes later runs quick) and returns
// its path.
func build() (string, error) {
	root, err := testenv.RepoRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, ".cache", "e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Build beside the final name and rename, so that two test runs at
	// once never execute a half-written file.
	tmp, err := os.CreateTemp(dir, "vmhealth-*")
	if err != nil {
		return "", err
	}
	tmp.Close()
	// go test puts its own GOROOT/bin first on the tests' PATH.
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(goTool, "build", "-o", tmp.Name(), "./cmd/vmhealth")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("%v\n%s", err, out)
	}
	bin := filepath.Join(dir, "vmhealth")
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// vmhealth runs the binary with args and stdin, in a clean environment:
// no KUBECONFIG and a HOME without ~/.kube, so only --kubeconfig counts.
func vmhealth(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runStdin(t, stdin, vmhealthBin, args...)
}

// run runs a program (such as a shell pipeline of vmhealth commands) in
// the same clean environment.
func run(t *testing.T, program string, args ...string) result {
	t.Helper()
	return runStdin(t, "", program, args...)
}

func runStdin(t *testing.T, stdin, program string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("running %s %s: %v", filepath.Base(program), strings.Join(args, " "), err)
	}
	if testing.Verbose() {
		t.Logf("$ %s %s\n%s", filepath.Base(program), strings.Join(args, " "), r)
	}
	return r
}

// want fails the test unless the run exited with code and its combined
// output contains every string.
func want(t *testing.T, r result, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\n%s", r.code, code, r)
	}
	all := r.stdout + r.stderr
	for _, s := range contains {
		if !strings.Contains(all, s) {
			t.Errorf("output lacks %q\n%s", s, r)
		}
	}
}

// writeFile writes content into a file of the test's temporary folder.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantRow checks the RESULT and DETAIL columns of apply's table row for
// the object called name, compared with single spaces.
func wantRow(t *testing.T, r result, name, want string) {
	t.Helper()
	for _, l := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(l); len(f) >= 4 && f[2] == name {
			if got := strings.Join(f[3:], " "); got != want {
				t.Errorf("row of %s: %q, want %q\n%s", name, got, want, r)
			}
			return
		}
	}
	t.Errorf("no row for %s\n%s", name, r)
}
