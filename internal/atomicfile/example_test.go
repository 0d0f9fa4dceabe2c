package atomicfile_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vmhealth/vmhealth/internal/atomicfile"
)

func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "atomicfile")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "baseline.json")
	_ = os.WriteFile(path, []byte("{}\n"), 0o640)

	// Readers see the old content or the new, never half of it; the file
	// keeps its mode.
	if err := atomicfile.WriteFile(path, []byte(`{"findings": []}`+"\n"), 0o600); err != nil {
		fmt.Println(err)
	}
	data, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	fmt.Print(string(data))
	fmt.Println(fi.Mode().Perm())
	// Output:
	// {"findings": []}
	// -rw-r-----
}
