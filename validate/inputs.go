package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// StdinName is the input name that stands for standard input.
const StdinName = "-"

// InputError is an input that could not be read. The rest of the input is
// still linted.
type InputError struct {
	File string `json:"file"`
	Err  error  `json:"-"`
	// arg is the index of the command-line input it came from, which
	// orders the errors.
	arg int
}

// MarshalJSON writes the error as {"file": …, "error": …}.
func (e InputError) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		File  string `json:"file"`
		Error string `json:"error"`
	}{e.File, e.Err.Error()})
}

func (e InputError) Error() string { return fmt.Sprintf("%s: %v", e.File, e.Err) }

// source is one stream of YAML to lint.
type source struct {
	arg  int
	name string
	open func() (io.ReadCloser, error)
	// whole is set for files found by walking a directory: a worker reads
	// and lints such a file on its own, so that a tree of many small files
	// is read in parallel. Files named on the command line and standard
	// input are split by the reader and their documents spread over the
	// workers, so one large file is linted in parallel too.
	whole bool
}

// lintableExt reports whether a file found while walking a directory is read.
func lintableExt(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// expandInputs turns the command line's paths into sources: files as given
// (any name, and pipes such as /dev/fd/63 from process substitution),
// directories walked recursively for .yaml, .yml and .json files in lexical
// order (one level deep when shallowDir says so), and "-" for stdin. Directory walks do not follow symbolic links to
// directories, so a link loop cannot trap them; links to files are followed.
func expandInputs(paths []string, stdin io.Reader, skipPath, shallowDir func(string) bool) ([]source, []InputError, int) {
	ignored := 0
	skip := func(p string) bool {
		if skipPath != nil && skipPath(p) {
			ignored++
			return true
		}
		return false
	}
	var (
		srcs []source
		errs []InputError
	)
	for arg, p := range paths {
		if p == StdinName {
			if stdin == nil {
				stdin = os.Stdin
			}
			r := stdin
			srcs = append(srcs, source{arg: arg, name: StdinName, open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }})
			continue
		}
		if skip(p) {
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, InputError{File: p, Err: describeOpenError(err), arg: arg})
			continue
		}
		if !info.IsDir() {
			srcs = append(srcs, fileSource(arg, p, false))
			continue
		}
		var found []string
		shallow := shallowDir != nil && shallowDir(p)
		walkErr := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if shallow && path != p && d != nil && d.IsDir() {
				return fs.SkipDir
			}
			if path != p && skip(path) {
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if err != nil {
				errs = append(errs, InputError{File: path, Err: describeOpenError(err), arg: arg})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return fs.SkipDir // .git and friends
				}
				return nil
			}
			if !lintableExt(d.Name()) {
				return nil
			}
			switch {
			case d.Type().IsRegular():
				found = append(found, path)
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Stat(path)
				switch {
				case err != nil:
					errs = append(errs, InputError{File: path, Err: describeOpenError(err), arg: arg})
				case target.Mode().IsRegular():
					found = append(found, path)
				}
			default:
				errs = append(errs, InputError{File: path, Err: errors.New("not a regular file; skipped"), arg: arg})
			}
			return nil
		})
		if walkErr != nil {
			errs = append(errs, InputError{File: p, Err: walkErr, arg: arg})
		}
		slices.Sort(found)
		for _, f := range found {
			srcs = append(srcs, fileSource(arg, f, true))
		}
	}
	return srcs, errs, ignored
}

// fileSource is a file named on the command line, or, whole, one found in
// a directory: read in one piece by a worker, with plain system calls
// (openRaw), as a tree holds thousands.
func fileSource(arg int, path string, whole bool) source {
	open := func(p string) (io.ReadCloser, error) { return os.Open(p) }
	if whole {
		open = openRaw
	}
	return source{arg: arg, name: path, whole: whole, open: func() (io.ReadCloser, error) {
		rc, err := open(path)
		if err != nil {
			return nil, describeOpenError(err)
		}
		return rc, nil
	}}
}

// describeOpenError strips the path that the caller prints anyway.
func describeOpenError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return errors.New("no such file or directory (or a broken symbolic link)")
		case errors.Is(err, fs.ErrPermission):
			return errors.New("permission denied")
		}
		return pe.Err
	}
	return err
}

// ReadInput reads one whole input: the file called name, or stdin for
// StdinName. It is the reader of every command that takes a single file
// (explain, gen --into, apply -f and --from), so that an input that
// cannot be read is worded as lint words it: an InputError naming the
// file, "no such file or directory (or a broken symbolic link)".
func ReadInput(name string, stdin io.Reader) ([]byte, error) {
	if name == StdinName {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, InputError{File: "standard input", Err: err}
		}
		return data, nil
	}
	fi, err := os.Stat(name)
	if err != nil {
		return nil, InputError{File: name, Err: describeOpenError(err)}
	}
	if fi.IsDir() {
		return nil, InputError{File: name, Err: errors.New("is a directory, not a file")}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, InputError{File: name, Err: describeOpenError(err)}
	}
	return data, nil
}
