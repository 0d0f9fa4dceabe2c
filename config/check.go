package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-playground/validator/v10"

	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// newValidator returns a validator that knows vmhealth's words: severity
// names, architectures, globs and the rule IDs of reg. Field names in its
// errors are the YAML keys.
func newValidator(reg *validate.Registry) *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err) // a tag registered twice: a programming error every test run catches
		}
	}
	must(v.RegisterValidation("severity", func(fl validator.FieldLevel) bool {
		_, err := validate.ParseSeverity(fl.Field().String())
		return err == nil
	}))
	must(v.RegisterValidation("arch", func(fl validator.FieldLevel) bool {
		return slices.Contains(probespec.Architectures, fl.Field().String())
	}))
	must(v.RegisterValidation("glob", func(fl validator.FieldLevel) bool {
		return doublestar.ValidatePattern(fl.Field().String())
	}))
	must(v.RegisterValidation("ruleid", func(fl validator.FieldLevel) bool {
		_, ok := reg.Get(fl.Field().String())
		return ok
	}))
	return v
}

// check validates the decoded file and turns the validator's errors into
// Errors that name the key and point at it.
func check(name string, f *File, pos positions, reg *validate.Registry) error {
	err := newValidator(reg).Struct(f)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err
	}
	var errs []error
	for _, fe := range verrs {
		key, isKey := keyPath(fe.Namespace())
		line, col := pos.at(key, isKey)
		errs = append(errs, &Error{File: name, Line: line, Column: col, Key: key, Message: message(fe, reg)})
	}
	return errors.Join(errs...)
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

// keyPath turns the validator's namespace (File.rules[probe-host-set].severity,
// File.ignore[1]) into a key path (rules.probe-host-set.severity, ignore[1]),
// and says whether the error is about a map key (an unknown rule ID) rather
// than a value.
func keyPath(ns string) (string, bool) {
	_, ns, _ = strings.Cut(ns, ".")
	const rules = "rules["
	if rest, ok := strings.CutPrefix(ns, rules); ok {
		id, tail, _ := strings.Cut(rest, "]")
		return "rules." + id + tail, tail == ""
	}
	return ns, false
}

// message says what is wrong with the value, in the words of the file.
func message(fe validator.FieldError, reg *validate.Registry) string {
	val := fmt.Sprint(fe.Value())
	switch fe.Tag() {
	case "severity":
		return fmt.Sprintf("%q is not a severity (one of: error, warning, info)", val)
	case "arch":
		return fmt.Sprintf("%q is not an architecture vmhealth knows (one of: %s)", val, strings.Join(probespec.Architectures, ", "))
	case "glob":
		return fmt.Sprintf("%q is not a valid glob pattern", val)
	case "ruleid":
		var ids []string
		for _, r := range reg.Rules() {
			ids = append(ids, r.ID)
		}
		msg := fmt.Sprintf("unknown rule %q", val)
		if s := validate.Suggest(val, ids); s != "" {
			return msg + fmt.Sprintf(" (did you mean %q?)", s)
		}
		return msg + "; run 'vmhealth rules' to list them"
	case "required":
		return "must not be empty"
	case "min":
		return fmt.Sprintf("must be at least %s, not %s", fe.Param(), val)
	case "max":
		return fmt.Sprintf("must be at most %s, not %s", fe.Param(), val)
	}
	return fmt.Sprintf("fails the %q check", fe.Tag())
}
