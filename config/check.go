package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// check validates the decoded file's values, each error naming the key
// and pointing at it. The keys are checked in the order of the File's
// fields; joinByLine puts the errors in the order of the file.
func check(name string, f *File, pos positions, reg *validate.Registry) error {
	var errs []error
	bad := func(key string, isKey bool, msg string) {
		line, col := pos.at(key, isKey)
		errs = append(errs, &Error{File: name, Line: line, Column: col, Key: key, Message: msg})
	}
	severity := func(key, v string) {
		if v == "" {
			return
		}
		if _, err := validate.ParseSeverity(v); err != nil {
			bad(key, false, fmt.Sprintf("%q is not a severity (one of: error, warning, info)", v))
		}
	}
	severity("failOn", f.FailOn)
	if f.Architecture != "" && !slices.Contains(probespec.Architectures, f.Architecture) {
		bad("architecture", false, fmt.Sprintf("%q is not an architecture vmhealth knows (one of: %s)", f.Architecture, strings.Join(probespec.Architectures, ", ")))
	}
	switch {
	case f.MinBootSeconds < 0:
		bad("minBootSeconds", false, fmt.Sprintf("must be at least 1, not %d", f.MinBootSeconds))
	case f.MinBootSeconds > maxBootSeconds:
		bad("minBootSeconds", false, fmt.Sprintf("must be at most %d, not %d", maxBootSeconds, f.MinBootSeconds))
	}
	if f.MaxDocumentBytes < 0 {
		bad("maxDocumentBytes", false, fmt.Sprintf("must be at least 1, not %d", f.MaxDocumentBytes))
	}
	for i, g := range f.Ignore {
		key := fmt.Sprintf("ignore[%d]", i)
		switch {
		case g == "":
			bad(key, false, "must not be empty")
		case !doublestar.ValidatePattern(g):
			bad(key, false, fmt.Sprintf("%q is not a valid glob pattern", g))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(f.Rules)) {
		if _, ok := reg.Get(id); !ok {
			bad("rules."+id, true, unknownRule(id, reg))
			continue
		}
		severity("rules."+id+".severity", f.Rules[id].Severity)
	}
	return errors.Join(errs...)
}

// maxBootSeconds is the longest boot minBootSeconds may assume: a day.
const maxBootSeconds = 86400

// unknownRule says that id is no rule, suggesting the closest one.
func unknownRule(id string, reg *validate.Registry) string {
	var ids []string
	for _, r := range reg.Rules() {
		ids = append(ids, r.ID)
	}
	msg := fmt.Sprintf("unknown rule %q", id)
	if s := validate.Suggest(id, ids); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; run 'vmhealth rules' to list them"
}

// checkParams checks the rules' parameters against what each rule
// declares.
func checkParams(name string, f *File, pos positions, reg *validate.Registry) error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(f.Rules)) {
		r, ok := reg.Get(id)
		if !ok {
			continue // reported as an unknown rule
		}
		params := f.Rules[id].Params
		for _, p := range slices.Sorted(maps.Keys(params)) {
			if err := r.CheckParam(p, params[p]); err != nil {
				key := "rules." + id + ".params." + p
				_, known := r.Param(p)
				line, col := pos.at(key, !known)
				errs = append(errs, &Error{File: name, Line: line, Column: col, Key: key, Message: err.Error()})
			}
		}
	}
	return errors.Join(errs...)
}

// joinByLine joins the Errors of errs, each maybe a join itself, in the
// order of the file.
func joinByLine(errs ...error) error {
	var all []*Error
	var other []error
	for _, err := range errs {
		var list []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			list = j.Unwrap()
		} else if err != nil {
			list = []error{err}
		}
		for _, e := range list {
			if ce, ok := e.(*Error); ok {
				all = append(all, ce)
			} else {
				other = append(other, e)
			}
		}
	}
	slices.SortStableFunc(all, func(a, b *Error) int { return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column)) })
	for _, e := range all {
		other = append(other, e)
	}
	return errors.Join(other...)
}
