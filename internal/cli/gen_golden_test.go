package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update rewrites the golden files of this package's tests, and the output
// shown in docs/gen.md and docs/explain.md. It is the package's one -update
// flag: golden tests of other commands should use it too.
var update = flag.Bool("update", false, "rewrite golden files under testdata/ and the output in docs/gen.md and docs/explain.md")

// assertGolden compares got with the file at path, relative to testdata/,
// or writes it there with -update.
func assertGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	path = filepath.Join("testdata", filepath.FromSlash(path))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}
