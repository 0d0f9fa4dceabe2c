//go:build !unix

package validate

import (
	"io"
	"os"
)

// openRaw opens a file for one reading from start to end.
func openRaw(path string) (io.ReadCloser, error) { return os.Open(path) }
