package dist

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestRelease runs `make release` for the machine's own platform and
// checks what it promises: a stripped static binary (no symbol table, no
// DWARF), a tar.gz holding it and the README, SHA256SUMS that match the
// archives, a krew manifest with every checksum filled in, and the same
// bytes from a second build.
func TestRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary (-trimpath: a cold compile)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("checks an ELF binary; runs on linux")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dist := t.TempDir()
	plat := runtime.GOOS + "/" + runtime.GOARCH
	makeRelease(t, plat, dist)
	name := "vmhealth-" + runtime.GOOS + "-" + runtime.GOARCH
	bin := filepath.Join(dist, name, "vmhealth")

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the release binary: %v", err)
	}
	defer f.Close()
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			t.Errorf("the release binary is not stripped: it has section %s", s.Name)
		}
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the release binary is dynamically linked (it has an ELF interpreter)")
		}
	}

	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("vmhealth version: %v\n%s", err, out)
	}
	// The Makefile's version: the tag on HEAD, else devel-<commit>.
	want := gitOut(t, "describe", "--tags", "--dirty")
	if want == "" {
		want = "devel-" + gitOut(t, "rev-parse", "--short=12", "HEAD")
	}
	if !strings.Contains(string(out), want) {
		t.Errorf("vmhealth version of the release binary: %q, want it to name %s", out, want)
	}

	archive := filepath.Join(dist, name+".tar.gz")
	members := tarMembers(t, archive)
	for _, want := range []string{name + "/vmhealth", name + "/README.md"} {
		if !members[want] {
			t.Errorf("%s lacks %s (has %v)", filepath.Base(archive), want, members)
		}
	}

	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	got := sha256File(t, archive)
	if !strings.Contains(string(sums), got+"  "+name+".tar.gz") {
		t.Errorf("SHA256SUMS %q lacks %s for %s", sums, got, name+".tar.gz")
	}
	krew, err := os.ReadFile(filepath.Join(dist, "vmhealth.krew.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(krew), got) {
		t.Errorf("vmhealth.krew.yaml does not carry the archive's checksum %s", got)
	}
	if strings.Contains(string(krew), "@VERSION@") {
		t.Errorf("vmhealth.krew.yaml still has @VERSION@")
	}

	readmeInstall(t, dist)

	// Reproducible: a second build, into another folder and one platform
	// at a time, gives the same bytes (a build ID, a time stamp or a path
	// in the binary or the archive would change them). The compiled
	// packages come from the build cache this time, so this checks the
	// link and the packing, not the compiler.
	again := t.TempDir()
	makeRelease(t, plat, again, "RELEASE_JOBS=1")
	if sums2, err := os.ReadFile(filepath.Join(again, "SHA256SUMS")); err != nil || string(sums2) != string(sums) {
		t.Errorf("a second make release gave other bytes (%v):\n%s\nthen\n%s", err, sums, sums2)
	}
}

// makeRelease runs make release for the platforms into dist.
func makeRelease(t *testing.T, platforms, dist string, vars ...string) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"release", "PLATFORMS=" + platforms, "DIST=" + dist}, vars...)...)
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}
}

// gitOut runs git in the repository; empty when it fails (no tag).
func gitOut(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func tarMembers(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tr := tar.NewReader(zr)
	m := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return m
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		m[h.Name] = true
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readmeInstall runs README's install block for a release binary as
// written (it names linux-amd64), in dist with a fresh HOME, and runs the
// installed binary.
func readmeInstall(t *testing.T, dist string) {
	t.Helper()
	if runtime.GOOS+"/"+runtime.GOARCH != "linux/amd64" {
		t.Logf("README's install block names linux-amd64; not run on %s/%s", runtime.GOOS, runtime.GOARCH)
		return
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "Release binaries: `make release`")
	if !ok {
		t.Fatal("README.md has no paragraph on release binaries")
	}
	_, rest, ok = strings.Cut(rest, "```sh\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 || !strings.Contains(block, "SHA256SUMS") {
		t.Fatalf("README.md's release paragraph has no sh block checking SHA256SUMS:\n%s", block)
	}
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".local", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-e", "-c", block)
	cmd.Dir = dist
	cmd.Env = append(os.Environ(), "HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README's install block:\n%s\n%v\n%s", block, err, out)
	}
	if out, err := exec.Command(filepath.Join(home, ".local", "bin", "vmhealth"), "version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "vmhealth ") {
		t.Errorf("the binary README installs: %v\n%s", err, out)
	}
}
