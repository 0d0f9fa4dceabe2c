package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/validate"
)

// flagRecursive is kubectl's -R; flagFilename (-f) is apply's constant.
const flagRecursive = "recursive"

// filenameOptions are kubectl's -f/--filename and -R/--recursive, on every
// command that reads manifests (lint, explain, apply). As in kubectl, a
// directory given with -f is read one level deep unless -R; a directory
// given as an argument (lint, explain) is read recursively, as it always
// was. -R without -f changes nothing.
type filenameOptions struct {
	// Filenames are the -f values, in order; "-" is standard input.
	Filenames []string
	// Recursive is -R.
	Recursive bool
}

// addFilenameFlags adds -f/--filename (repeatable, or comma-separated as
// kubectl's) and -R/--recursive.
func addFilenameFlags(cmd *cobra.Command, o *filenameOptions, what string) {
	fl := cmd.Flags()
	fl.StringSliceVarP(&o.Filenames, flagFilename, "f", nil, what+"; a directory is read one level deep unless -R; - is standard input (repeatable)")
	fl.BoolVarP(&o.Recursive, flagRecursive, "R", false, "read the directories given with -f recursively, as kubectl -R")
	_ = cmd.MarkFlagFilename(flagFilename, "yaml", "yml", "json")
}

// paths returns the arguments followed by the -f values.
func (o *filenameOptions) paths(args []string) []string {
	return append(slices.Clone(args), o.Filenames...)
}

// shallow reports whether dir, given with -f and without -R, is read one
// level deep. A directory also given as an argument is read recursively.
func (o *filenameOptions) shallow(args []string) func(string) bool {
	if o.Recursive || len(o.Filenames) == 0 {
		return nil
	}
	return func(dir string) bool {
		return slices.Contains(o.Filenames, dir) && !slices.Contains(args, dir)
	}
}

// manifestFiles expands the directories among paths into the .yaml, .yml
// and .json files they hold, in lexical order, as lint reads them
// (directories named .* skipped, links to directories not followed), one
// level deep for those shallow says. Files and "-" are kept as given. It
// is the reader of the commands that take files one by one (explain,
// apply -f).
func manifestFiles(paths []string, shallow func(string) bool) ([]string, error) {
	var out []string
	for _, p := range paths {
		files, err := manifestFilesOf(p, shallow != nil && shallow(p))
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

// manifestFilesOf is manifestFiles of one path; a directory without
// manifests is an error.
func manifestFilesOf(p string, one bool) ([]string, error) {
	if p == validate.StdinName {
		return []string{p}, nil
	}
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() {
		return []string{p}, nil // the reader says what is wrong with it
	}
	var found []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != p && (one || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		return nil, validate.InputError{File: p, Err: err}
	}
	if len(found) == 0 {
		return nil, validate.InputError{File: p, Err: errors.New("no .yaml, .yml or .json files in this directory")}
	}
	slices.Sort(found)
	return found, nil
}
