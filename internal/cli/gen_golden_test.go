package cli

import (
	"path/filepath"
	"testing"

	"github.com/vmhealth/vmhealth/internal/golden"
)

// update rewrites the golden files of this package's tests, and the output
// shown in docs/gen.md and docs/explain.md. It is the package's one -update
// flag: golden tests of other commands should use it too.
var update = golden.Update

// assertGolden compares got with the file at path, relative to testdata/,
// or writes it there with -update.
func assertGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", filepath.FromSlash(path)), got)
}
