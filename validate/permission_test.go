package validate

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const permissionDirEnv = "VMHEALTH_TEST_PERMISSION_DIR"

// TestPermissionDenied checks that an unreadable file and an unreadable
// directory are reported as such and the readable file beside them is still
// linted. Root reads everything, so as root the check runs in a copy of this
// test binary started as the unprivileged user nobody.
func TestPermissionDenied(t *testing.T) {
	if dir := os.Getenv(permissionDirEnv); dir != "" {
		checkPermissionDenied(t, dir)
		return
	}
	// Not t.TempDir: its parent is private to this user, and nobody must
	// be able to reach the copy of the test binary.
	dir, err := os.MkdirTemp("", "vmhealth-perm-")
	must(t, err)
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755); os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	vm := "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: a}\nspec:\n  runStrateg: Halted\n"
	must(t, os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(vm), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte(vm), 0o000))
	must(t, os.Mkdir(filepath.Join(dir, "locked"), 0o000))
	if os.Geteuid() != 0 {
		checkPermissionDenied(t, dir)
		return
	}
	bin := filepath.Join(dir, "validate.test")
	copyFile(t, os.Args[0], bin)
	cmd := exec.Command(bin, "-test.run=^TestPermissionDenied$", "-test.count=1")
	cmd.Env = append(os.Environ(), permissionDirEnv+"="+dir)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}

func checkPermissionDenied(t *testing.T, dir string) {
	var got []Finding
	sum, err := MustNew(Options{}).Lint(context.Background(), []string{dir}, nil, func(f Finding) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || filepath.Base(got[0].File) != "a.yaml" {
		t.Errorf("findings:\n%s", dump(got))
	}
	var msgs []string
	for _, e := range sum.InputErrors {
		msgs = append(msgs, e.Error())
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{"secret.yaml: permission denied", "locked: permission denied"} {
		if !strings.Contains(joined, want) {
			t.Errorf("want %q among the input errors:\n%s", want, joined)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	must(t, err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	must(t, err)
	_, err = io.Copy(out, in)
	must(t, err)
	must(t, out.Close())
}
