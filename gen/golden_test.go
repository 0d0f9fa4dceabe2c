package gen

import (
	"path/filepath"
	"testing"

	"github.com/vmhealth/vmhealth/internal/golden"
)

// checkGolden compares got with testdata/name, or writes it there with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", filepath.FromSlash(name)), got)
}
