// Package atomicfile replaces files so that readers see either the old
// content or the new, never a mix, and a failed write leaves the old file as
// it was: the data goes to a temporary file in the same directory, which is
// synced, given the file's mode and renamed over it.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically. An existing file keeps its
// permission bits; perm is used only when path does not exist yet (as
// given: unlike os.WriteFile, the umask is not applied). A symbolic link
// at path is followed and its target replaced, so the link stays a link.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write is WriteFile with the content produced by write, which may fail
// part way through: any error from write (or from syncing, closing or
// renaming) removes the temporary file and leaves path untouched. Tests use
// it to inject faults.
func Write(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	target, mode, err := resolve(path, perm)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating temporary file for %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// Chmod before the rename, so the file never appears with the
	// temporary file's 0600.
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("setting the mode of %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// resolve follows symbolic links to the file that is really replaced and
// returns the mode it must get.
func resolve(path string, perm os.FileMode) (string, os.FileMode, error) {
	target, err := filepath.EvalSymlinks(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A new file, or a dangling link: write path itself.
		if _, lerr := os.Lstat(path); lerr == nil {
			return "", 0, fmt.Errorf("%s is a symbolic link to a missing file", path)
		}
		return path, perm.Perm(), nil
	case err != nil:
		return "", 0, err
	}
	fi, err := os.Stat(target)
	if err != nil {
		return "", 0, err
	}
	if !fi.Mode().IsRegular() {
		return "", 0, fmt.Errorf("%s is not a regular file", path)
	}
	return target, fi.Mode().Perm(), nil
}

// syncDir makes the rename durable where the platform allows syncing a
// directory. It is best effort: the rename has happened either way.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
