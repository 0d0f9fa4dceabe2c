package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"errors"
	"github.com/vmhealth/vmhealth/internal/atomicfile"
	"github.com/vmhealth/vmhealth/validate"
)

// Flag names of lint --fix.
const (
	flagFix = "fix"
)

// fixOptions are lint's --fix and --diff.
type fixOptions struct {
	// Fix applies every certain fix in place.
	Fix bool
	// Diff shows the fixes as a unified diff instead of writing them.
	Diff bool
}

func addFixFlags(cmd *cobra.Command, o *fixOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&o.Fix, flagFix, false, "apply every certain fix in place (comments, order and untouched bytes kept), then report what is left; with -, write the fixed stream to stdout")
	fl.BoolVar(&o.Diff, flagDiff, false, "with --fix, show the fixes as a unified diff instead of writing them")
}

// fixInputs lists the files --fix edits: the files named, the .yaml, .yml
// and .json files under the directories named (only their own files for
// those shallow says, as -f without -R), and "-".
func fixInputs(inputs []string, shallow func(string) bool) ([]string, []error) {
	var out []string
	var errs []error
	for _, in := range inputs {
		if in == validate.StdinName {
			out = append(out, in)
			continue
		}
		st, err := os.Stat(in)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !st.IsDir() {
			out = append(out, in)
			continue
		}
		if _, err := os.Stat(filepath.Join(in, "Chart.yaml")); err == nil {
			errs = append(errs, fmt.Errorf("%s is a Helm chart: its templates become objects only when rendered, so --fix cannot edit them back; lint `helm template %s | vmhealth lint -` and fix the templates by hand", in, in))
			continue
		}
		one := shallow != nil && shallow(in)
		err = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if one && d.IsDir() && p != in {
				return fs.SkipDir
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() {
					out = append(out, p)
				}
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errs
}

// fixRun is lint --fix: fix each file, write it back (or show the diff),
// report the fixes and lint what remains.
func fixRun(ctx context.Context, opts *LintOptions) error {
	stdout, stderr := opts.IO.Out, opts.IO.ErrOut
	// With - or --diff, stdout carries the fixed stream or the diff; the
	// report goes to stderr.
	report := stdout
	for _, in := range opts.Inputs {
		if in == validate.StdinName || opts.Diff {
			report = stderr
		}
	}
	out, ci, linter, err := opts.start(report, stderr)
	if err != nil {
		return err
	}
	files, errs := fixInputs(opts.Inputs, opts.shallowDir)
	for _, e := range errs {
		fmt.Fprintf(stderr, "vmhealth: %v\n", e)
	}
	failed := len(errs) > 0
	var remaining []validate.Finding
	fixed, objects, documents := 0, 0, 0
	for _, name := range files {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if opts.skipPath() != nil && name != validate.StdinName && opts.skipPath()(name) {
			continue
		}
		data, mode, err := readFixInput(name, opts.IO.In)
		if err != nil {
			fmt.Fprintf(stderr, "vmhealth: %v\n", err)
			failed = true
			continue
		}
		res, err := linter.FixBytes(name, data)
		if errors.Is(err, validate.ErrTemplate) {
			err = fmt.Errorf("%w, using the findings of `helm template … | vmhealth lint -`", err)
		}
		if err != nil {
			fmt.Fprintf(stderr, "vmhealth: %v\n", err)
			failed = true
			continue
		}
		for _, f := range res.Fixed {
			fmt.Fprintf(report, "%s: fixed %s: %s\n", f.Finding.Location(), f.Finding.RuleID, f.Change)
		}
		fixed += len(res.Fixed)
		objects += res.Summary.Objects
		documents += res.Summary.Documents
		remaining = append(remaining, res.Remaining...)
		switch {
		case opts.Diff:
			if _, err := io.WriteString(stdout, unifiedDiff(name, data, res.Data)); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
		case name == validate.StdinName:
			if _, err := stdout.Write(res.Data); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
		case len(res.Fixed) > 0:
			if err := atomicfile.WriteFile(name, res.Data, mode); err != nil {
				fmt.Fprintf(stderr, "vmhealth: writing %s: %v\n", name, err)
				failed = true
			}
		}
	}
	if opts.Diff {
		// The diff is the output; the remaining findings would garble it.
		fmt.Fprintf(stderr, "%d fixes shown, %d findings would remain\n", fixed, len(remaining))
	} else {
		fmt.Fprintf(report, "%d fixed; remaining findings:\n", fixed)
	}
	sum := &validate.Summary{Files: len(files), Documents: documents, Objects: objects, Findings: map[string]int{}, Skipped: map[string]int{}}
	for i := range remaining {
		f := remaining[i]
		if !ci.keep(&f) {
			continue
		}
		if f.Suppressed != nil {
			sum.Suppressed++
			continue
		}
		sum.Findings[f.Severity.String()]++
		if opts.Diff || opts.Quiet && f.Severity < opts.FailOn {
			continue
		}
		if err := out.Write(f); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}
	if !opts.Diff {
		if err := out.Flush(sum); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}
	switch {
	case failed:
		return errSilent
	case sum.Count(opts.FailOn) > 0:
		return errFindings
	}
	return nil
}

// readFixInput reads a file to fix, or standard input for "-".
func readFixInput(name string, stdin io.Reader) ([]byte, os.FileMode, error) {
	if name == validate.StdinName {
		data, err := io.ReadAll(stdin)
		return data, 0, err
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, 0, err
	}
	data, err := os.ReadFile(name)
	return data, st.Mode().Perm(), err
}
