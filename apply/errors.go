package apply

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NotFoundError means the object to apply to does not exist.
type NotFoundError struct{ Target Target }

func (e *NotFoundError) Error() string {
	ns := ""
	if e.Target.Namespace != "" {
		ns = fmt.Sprintf(" in namespace %q", e.Target.Namespace)
	}
	return fmt.Sprintf("%s %q not found%s", e.Target.Kind.Kind, e.Target.Name, ns)
}

// LintError means lint found errors in the object as it would be after the
// change, so nothing was written.
type LintError struct{ Errors int }

func (e *LintError) Error() string {
	s := "s"
	if e.Errors == 1 {
		s = ""
	}
	return fmt.Sprintf("lint found %d error%s in the result; nothing was written", e.Errors, s)
}

// ConflictError means server-side apply refused to change fields that
// other field managers own.
type ConflictError struct {
	Conflicts []Conflict
	// Err is the API server's error; nil when the conflict was found
	// locally (client dry run).
	Err error
}

func (e *ConflictError) Error() string {
	var parts []string
	for _, c := range e.Conflicts {
		parts = append(parts, fmt.Sprintf("%s is owned by %s", c.Field, quoteAll(c.Managers)))
	}
	return "conflict with another field manager: " + strings.Join(parts, "; ")
}

func (e *ConflictError) Unwrap() error { return e.Err }

// Managers lists every manager named in the conflicts, once each.
func (e *ConflictError) Managers() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range e.Conflicts {
		for _, m := range c.Managers {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}

var conflictManager = regexp.MustCompile(`conflict with "([^"]*)"`)

// serverConflicts reads the field-manager conflicts out of the API
// server's answer to an apply, or returns nil when err is not one.
func serverConflicts(err error) []Conflict {
	var se apierrors.APIStatus
	if !apierrors.IsConflict(err) || !errors.As(err, &se) || se.Status().Details == nil {
		return nil
	}
	var out []Conflict
	for _, c := range se.Status().Details.Causes {
		if c.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		mgr := c.Message
		if m := conflictManager.FindStringSubmatch(c.Message); m != nil {
			mgr = m[1]
		}
		out = append(out, Conflict{Field: c.Field, Managers: []string{mgr}})
	}
	return out
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, " and ")
}

func jsonMarshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding the patch: %w", err)
	}
	return b, nil
}
