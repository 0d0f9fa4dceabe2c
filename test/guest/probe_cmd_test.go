package guest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// vmManifest writes the VirtualMachine gen makes for the boot's flags: its
// probes are the ones vmhealth probe runs against the guest.
func vmManifest(t *testing.T, bin string, args []string) string {
	t.Helper()
	vm := runOut(t, bin, append([]string{"gen", "--vm", "web"}, args[1:]...)...)
	path := filepath.Join(t.TempDir(), "vm.yaml")
	if err := os.WriteFile(path, []byte(vm), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// vmhealthProbe runs vmhealth probe --once on the manifest and returns
// its exit status and JSON output.
func vmhealthProbe(t *testing.T, bin, manifest string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"probe", manifest, "--once", "-o", "json"}, args...)...)
	out, err := cmd.Output()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("vmhealth probe: %v", err)
		}
		code = ee.ExitCode()
		t.Logf("vmhealth probe stderr: %s", ee.Stderr)
	}
	t.Logf("vmhealth probe %s: exit %d\n%s", strings.Join(args, " "), code, out)
	return code, string(out)
}
