package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name     string
		existing *os.FileMode // nil: no file yet
		perm     os.FileMode
		wantMode os.FileMode
	}{
		{name: "new file gets perm", perm: 0o640, wantMode: 0o640},
		{name: "existing file keeps its mode", existing: ptr(os.FileMode(0o604)), perm: 0o600, wantMode: 0o604},
		{name: "executable stays executable", existing: ptr(os.FileMode(0o755)), perm: 0o644, wantMode: 0o755},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "vm.yaml")
			if tt.existing != nil {
				writeFixture(t, path, "old\n", *tt.existing)
			}
			if err := WriteFile(path, []byte("new\n"), tt.perm); err != nil {
				t.Fatal(err)
			}
			assertContent(t, path, "new\n")
			if runtime.GOOS != "windows" {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != tt.wantMode {
					t.Errorf("mode = %v, want %v", got, tt.wantMode)
				}
			}
			assertNoTemporaryFiles(t, dir)
		})
	}
}

func TestWriteFailureLeavesOriginal(t *testing.T) {
	boom := errors.New("disk full")
	tests := []struct {
		name  string
		write func(w io.Writer) error
	}{
		{name: "fails before writing", write: func(io.Writer) error { return boom }},
		{name: "fails part way", write: func(w io.Writer) error {
			if _, err := io.WriteString(w, "half of the new cont"); err != nil {
				return err
			}
			return boom
		}},
		{name: "writer fails on a short write", write: func(w io.Writer) error {
			_, err := (&failingWriter{w: w, after: 5, err: boom}).Write([]byte("new content\n"))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "vm.yaml")
			writeFixture(t, path, "original\n", 0o644)
			err := Write(path, 0o600, tt.write)
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want it to wrap %v", err, boom)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			assertContent(t, path, "original\n")
			assertNoTemporaryFiles(t, dir)
		})
	}
}

func TestWriteFileFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "real.yaml")
	link := filepath.Join(dir, "link.yaml")
	writeFixture(t, target, "old\n", 0o644)
	if err := os.Symlink("real.yaml", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link", link)
	}
	assertContent(t, target, "new\n")
}

func TestWriteFileRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(dir, []byte("x"), 0o644); err == nil {
		t.Fatal("writing over a directory succeeded")
	}
}

func TestWriteFileMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "vm.yaml")
	if err := WriteFile(path, []byte("x"), 0o644); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}

type failingWriter struct {
	w     io.Writer
	after int
	err   error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.after {
		return f.w.Write(p)
	}
	n, err := f.w.Write(p[:f.after])
	if err != nil {
		return n, err
	}
	return n, f.err
}

func ptr[T any](v T) *T { return &v }

func writeFixture(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile applies the umask; the test wants the exact mode.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func assertContent(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s = %q, want %q", path, got, want)
	}
}

func assertNoTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
