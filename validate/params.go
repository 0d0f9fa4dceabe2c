package validate

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Param declares a number a rule can be tuned with. Users set it in the
// configuration file (rules.<id>.params.<name>) and library users in
// Options.RuleParams; the rule reads it from the Params it is given.
type Param struct {
	// Name is the key, in lowerCamelCase as the configuration file's keys.
	Name string
	// Default is the value when none is given.
	Default int
	// Min and Max bound the values accepted.
	Min, Max int
	// Description says, in one line, what the number means.
	Description string
}

// Params are what a rule is told about one run: the architecture assumed
// and the rule's own parameters, defaults filled in. The engine hands each
// rule its own copy, so a rule can neither see nor change the Linter's
// options or another rule's parameters.
type Params struct {
	// Architecture is assumed for objects that do not set
	// spec.architecture.
	Architecture string
	values       map[string]int
}

// Int returns the value of the parameter called name; 0 for a parameter
// the rule does not declare.
func (p Params) Int(name string) int { return p.values[name] }

// params returns the parameters r runs with: set, else the defaults.
func (r *Rule) params(arch string, set map[string]int) Params {
	p := Params{Architecture: arch}
	if len(r.Params) == 0 {
		return p
	}
	p.values = make(map[string]int, len(r.Params))
	for _, d := range r.Params {
		p.values[d.Name] = d.Default
		if v, ok := set[d.Name]; ok {
			p.values[d.Name] = v
		}
	}
	return p
}

// Param returns the declaration of r's parameter called name.
func (r *Rule) Param(name string) (Param, bool) {
	i := slices.IndexFunc(r.Params, func(p Param) bool { return p.Name == name })
	if i < 0 {
		return Param{}, false
	}
	return r.Params[i], true
}

// CheckParam reports whether v is a value r's parameter called name
// accepts.
func (r *Rule) CheckParam(name string, v int) error {
	d, ok := r.Param(name)
	if !ok {
		if len(r.Params) == 0 {
			return fmt.Errorf("rule %s has no parameters", r.ID)
		}
		names := make([]string, len(r.Params))
		for i, p := range r.Params {
			names[i] = p.Name
		}
		return fmt.Errorf("rule %s has no parameter %q (it has: %s)", r.ID, name, strings.Join(names, ", "))
	}
	if v < d.Min || v > d.Max {
		return fmt.Errorf("rule %s: parameter %s must be from %d to %d, not %d", r.ID, name, d.Min, d.Max, v)
	}
	return nil
}

// checkParams checks every parameter set for r.
func (r *Rule) checkParams(set map[string]int) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(set)) {
		errs = append(errs, r.CheckParam(name, set[name]))
	}
	return errors.Join(errs...)
}
