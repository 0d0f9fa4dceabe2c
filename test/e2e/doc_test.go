package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmhealth/vmhealth/internal/doctest"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the output shown in docs/apply.md")

// docNamespace is the namespace the page's examples run in; the page shows
// it, so it cannot be a random one.
const docNamespace = "demo"

// TestApplyDoc runs the examples of docs/apply.md against the API server
// and checks that the output shown is what the commands print. The page is
// written in a small convention:
//
//   - a "yaml cluster" block creates its objects in namespace demo, as
//     kubectl create would; "yaml cluster manager=NAME" server-side applies
//     them as field manager NAME instead;
//   - a "yaml file=NAME" block writes the file NAME into the examples'
//     working directory;
//   - in a "console" block, a line starting with "$ " is a command for bash
//     (a trailing \ continues it), with vmhealth on PATH and KUBECONFIG set;
//     the lines after it are its standard output, then its standard error,
//     then "[exit N]" when the status is not 0.
func TestApplyDoc(t *testing.T) {
	env := testenv.Shared(t)
	docEnv := newDocEnv(t, env)

	path, err := filepath.Abs(filepath.Join("..", "..", "docs", "apply.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := docEnv.run(t, string(doc))
	if got == string(doc) {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/apply.md shows output the commands do not print (go test ./test/e2e -run TestApplyDoc -update rewrites it):\n%s",
		firstDifference(string(doc), got))
}

type docEnv struct {
	env        *testenv.Env
	dir        string
	kubeconfig string
}

// newDocEnv makes namespace demo (reused, emptied of VMs: deleted
// namespaces never go away here) and a kubeconfig whose context uses it.
func newDocEnv(t *testing.T, env *testenv.Env) *docEnv {
	t.Helper()
	ctx := context.Background()
	_, err := env.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: docNamespace}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	clean := func() {
		err := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(docNamespace).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		if err != nil {
			t.Errorf("deleting the VMs of %s: %v", docNamespace, err)
		}
	}
	clean()
	t.Cleanup(clean)

	kc := env.WriteKubeconfig(t)
	cfg, err := clientcmd.LoadFromFile(kc)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Contexts[cfg.CurrentContext].Namespace = docNamespace
	if err := clientcmd.WriteToFile(*cfg, kc); err != nil {
		t.Fatal(err)
	}
	return &docEnv{env: env, dir: t.TempDir(), kubeconfig: kc}
}

// run returns the page with each command's output replaced by what it
// prints now.
func (d *docEnv) run(t *testing.T, doc string) string {
	t.Helper()
	out, err := doctest.Rewrite(doc, func(b doctest.Block) (string, error) {
		switch {
		case len(b.Info) >= 2 && b.Info[0] == "yaml" && b.Info[1] == "cluster":
			manager := ""
			if len(b.Info) > 2 {
				manager = strings.TrimPrefix(b.Info[2], "manager=")
			}
			d.createObjects(t, b.Body, manager, b.Line)
		case len(b.Info) >= 2 && b.Info[0] == "yaml" && strings.HasPrefix(b.Info[1], "file="):
			if err := os.WriteFile(filepath.Join(d.dir, strings.TrimPrefix(b.Info[1], "file=")), []byte(b.Body), 0o644); err != nil {
				return "", err
			}
		case len(b.Info) == 1 && b.Info[0] == "console":
			return d.console(t, b.Lines()), nil
		}
		return b.Body, nil
	})
	if err != nil {
		t.Fatalf("docs/apply.md: %v", err)
	}
	return out
}

// createObjects creates (or, with a manager, server-side applies) the
// objects of a YAML stream in the doc namespace.
func (d *docEnv) createObjects(t *testing.T, stream, manager string, line int) {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	ctx := context.Background()
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			t.Fatalf("docs/apply.md:%d: %v", line, err)
		}
		if len(u.Object) == 0 {
			continue
		}
		u.SetNamespace(docNamespace)
		ri := d.env.Dynamic.Resource(testenv.VirtualMachines).Namespace(docNamespace)
		var err error
		if manager == "" {
			_, err = ri.Create(ctx, u, metav1.CreateOptions{FieldManager: setupManager})
		} else {
			_, err = ri.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: manager})
		}
		if err != nil {
			t.Fatalf("docs/apply.md:%d: %s %s: %v", line, u.GetKind(), u.GetName(), err)
		}
	}
}

// console runs the commands of a console block and returns the block's new
// body.
func (d *docEnv) console(t *testing.T, body []string) string {
	t.Helper()
	var out strings.Builder
	for k := 0; k < len(body); k++ {
		l := body[k]
		if !strings.HasPrefix(l, "$ ") {
			continue // old output
		}
		command := strings.TrimPrefix(strings.TrimSuffix(l, "\n"), "$ ")
		out.WriteString(l)
		for strings.HasSuffix(strings.TrimSpace(command), "\\") && k+1 < len(body) {
			k++
			out.WriteString(body[k])
			command = strings.TrimSuffix(strings.TrimSpace(command), "\\") + " " + strings.TrimSpace(body[k])
		}
		out.WriteString(d.shell(t, command))
	}
	return out.String()
}

func (d *docEnv) shell(t *testing.T, command string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", command)
	cmd.Dir = d.dir
	cmd.Env = []string{
		"HOME=" + d.dir, "NO_COLOR=1", "KUBECONFIG=" + d.kubeconfig,
		"PATH=" + filepath.Dir(vmhealthBin) + string(os.PathListSeparator) + os.Getenv("PATH"),
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := stdout.String() + stderr.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res += fmt.Sprintf("[exit %d]\n", ee.ExitCode())
	default:
		t.Fatalf("running %q: %v", command, err)
	}
	// The API server's address changes from run to run.
	host := d.env.Config.Host
	return strings.ReplaceAll(res, strings.TrimSuffix(host, "/"), "https://127.0.0.1:6443")
}

// firstDifference shows where two texts start to differ, with context.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  page: %q\n  now:  %q", i+1, x, y)
		}
	}
	return "(no difference)"
}
