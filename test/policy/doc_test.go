package policy_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmhealth/vmhealth/internal/doctest"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vmhealth/vmhealth/internal/testenv"
	"github.com/vmhealth/vmhealth/policy"
)

var update = flag.Bool("update", false, "rewrite the output shown in docs/policy.md")

// TestPolicyDoc runs the examples of docs/policy.md against the API server,
// with the vmhealth binary and kubectl, and checks that the output shown is
// what the commands print; -update rewrites it. On the page, a block
// "yaml file=NAME" writes the file NAME into the examples' folder, and in a
// "console" block each "$ " line is a bash command followed by its
// standard output, its standard error and "[exit N]" when it fails.
// The policies the page installs act in every namespace, so the test
// removes them, and waits until they no longer act, before it ends.
func TestPolicyDoc(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("docs/policy.md shows kubectl, which is not on PATH: %v", err)
	}
	c := newCluster(t)
	bin := buildVMHealth(t)
	env := []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + filepath.Dir(kubectl) + string(os.PathListSeparator) + "/usr/bin:/bin",
		"KUBECONFIG=" + c.env.WriteKubeconfig(t),
		"HOME=" + t.TempDir(),
		"NO_COLOR=1",
	}
	work := t.TempDir()
	t.Cleanup(func() { c.removeDocPolicies(t) })

	path := filepath.Join("..", "..", "docs", "policy.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := doctest.Rewrite(string(doc), func(b doctest.Block) (string, error) {
		info := strings.Join(b.Info, " ")
		switch {
		case strings.HasPrefix(info, "yaml file="):
			name := strings.TrimPrefix(info, "yaml file=")
			return b.Body, os.WriteFile(filepath.Join(work, name), []byte(b.Body), 0o644)
		case info == "console":
			got := runConsole(t, c, work, env, b.Body)
			if got != b.Body && !*update {
				t.Errorf("docs/policy.md shows:\n%s\nbut the commands print:\n%s", b.Body, got)
			}
			return got, nil
		}
		return b.Body, nil
	})
	if err != nil {
		t.Fatalf("docs/policy.md: %v", err)
	}
	if *update && out != string(doc) {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runConsole runs the commands of a console block and returns the block
// as it should read.
func runConsole(t *testing.T, c *cluster, dir string, env []string, block string) string {
	t.Helper()
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(block, "\n"), "\n") {
		command, ok := strings.CutPrefix(line, "$ ")
		if !ok {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", command)
		cmd.Dir, cmd.Env = dir, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		code := 0
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", command, err)
		}
		b.WriteString(line + "\n" + stdout.String() + stderr.String())
		if code != 0 {
			fmt.Fprintf(&b, "[exit %d]\n", code)
		}
		// Policies act a moment after they are stored.
		if strings.Contains(command, "vmhealth policy") && strings.Contains(command, "kubectl apply") {
			c.waitActive(t, "default", strings.Contains(command, "--action Warn"))
		}
	}
	return b.String()
}

// removeDocPolicies deletes what the page creates and waits until the
// policies no longer act, so that the next test starts from a clean
// cluster.
func (c *cluster) removeDocPolicies(t *testing.T) {
	ctx := context.Background()
	api := c.kube.AdmissionregistrationV1()
	sel := metav1.ListOptions{LabelSelector: policy.LabelManagedBy + "=vmhealth"}
	for _, k := range policy.Kinds {
		name := policy.DefaultName + "-" + k.Resource
		_ = api.ValidatingAdmissionPolicyBindings().Delete(ctx, name, metav1.DeleteOptions{})
		_ = api.ValidatingAdmissionPolicies().Delete(ctx, name, metav1.DeleteOptions{})
	}
	_ = c.dynamic.Resource(resources["VirtualMachine"]).Namespace("default").Delete(ctx, "web", metav1.DeleteOptions{})
	if left, err := api.ValidatingAdmissionPolicies().List(ctx, sel); err == nil {
		for _, p := range left.Items {
			if strings.HasPrefix(p.Name, policy.DefaultName+"-") {
				t.Errorf("policy %s left behind", p.Name)
			}
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		out := c.create(ctx, badObject("VirtualMachine"), "default", "probe-deactivation", true)
		if out.Denied == "" && len(out.Warnings) == 0 && out.Refused == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page's policies still act 60 s after their removal: %+v", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// buildVMHealth compiles cmd/vmhealth into .cache/policy-test at the
// repository root, an ignored folder, so the build cache makes later runs
// quick, and returns its path.
func buildVMHealth(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, ".cache", "policy-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Build beside the final name and rename, so a concurrent run never
	// executes a half-written file.
	tmp, err := os.CreateTemp(dir, "vmhealth-*")
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	// go test puts its own GOROOT/bin first on the tests' PATH.
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "build", "-o", tmp.Name(), "./cmd/vmhealth")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp.Name())
		t.Fatalf("building vmhealth: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "vmhealth")
	if err := os.Rename(tmp.Name(), bin); err != nil {
		t.Fatal(err)
	}
	return bin
}
