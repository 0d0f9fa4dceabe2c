package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Error kinds that Explain recognises, for errors.Is.
var (
	// ErrUnreachable means no connection to the API server could be made.
	ErrUnreachable = errors.New("API server unreachable")
	// ErrTimeout means the API server did not answer in time.
	ErrTimeout = errors.New("API server timeout")
	// ErrForbidden means RBAC denied the request.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthorized means the API server did not accept the credentials.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrRejected means the API server or an admission controller refused
	// the object (schema validation, webhook, admission policy).
	ErrRejected = errors.New("rejected by the API server")
)

// ExplainedError is an error rewritten for people, with the kind of
// failure (one of the Err variables above) for errors.Is.
type ExplainedError struct {
	Kind error
	Msg  string
	Err  error
}

func (e *ExplainedError) Error() string { return e.Msg }

// Is matches the error's kind.
func (e *ExplainedError) Is(target error) bool { return target == e.Kind }

// Unwrap returns the original error.
func (e *ExplainedError) Unwrap() error { return e.Err }

// Explain rewrites err, returned when vmhealth tried to verb a resource
// ("patch", "virtualmachines.kubevirt.io"), so that it says what happened
// and what to do, with credentials redacted. Errors it does not recognise
// come back redacted but otherwise unchanged.
func (c *Clients) Explain(err error, verb, resource string) error {
	if err == nil {
		return nil
	}
	host := strings.TrimSuffix(c.Config.Host, "/")
	red := c.Redactor
	msg := func(format string, args ...any) string { return red.Redact(fmt.Sprintf(format, args...)) }
	var status apierrors.APIStatus
	isStatus := errors.As(err, &status)

	switch {
	case isStatus && apierrors.IsForbidden(err) && isAdmissionDenial(err.Error()):
		return &ExplainedError{Kind: ErrRejected, Err: err, Msg: msg("admission denied the change: %v", err)}
	case isStatus && apierrors.IsForbidden(err):
		return &ExplainedError{Kind: ErrForbidden, Err: err, Msg: msg(
			"not allowed to %s %s: %v (RBAC: ask for the %q verb on %s)", verb, resource, err, verb, resource)}
	case isStatus && apierrors.IsUnauthorized(err):
		return &ExplainedError{Kind: ErrUnauthorized, Err: err, Msg: msg(
			"the API server at %s did not accept the credentials (%v): log in again or check the kubeconfig user", host, err)}
	case isStatus && (apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || isSchemaRejection(err.Error())):
		return &ExplainedError{Kind: ErrRejected, Err: err, Msg: msg("the API server rejected the change: %v", err)}
	case isStatus && (apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err)):
		return &ExplainedError{Kind: ErrTimeout, Err: err, Msg: msg("the API server at %s timed out: %v", host, err)}
	case errors.Is(err, context.DeadlineExceeded) || isNetTimeout(err):
		return &ExplainedError{Kind: ErrTimeout, Err: err, Msg: msg(
			"the API server at %s did not answer in time (--%s is %s): %v", host, FlagTimeout, c.Config.Timeout, rootCause(err))}
	case isUnreachable(err):
		return &ExplainedError{Kind: ErrUnreachable, Err: err, Msg: msg(
			"cannot reach the API server at %s: %v (is the cluster up, and is this the right kubeconfig context?)", host, rootCause(err))}
	}
	return red.Error(err)
}

// isAdmissionDenial tells a webhook's or admission policy's 403 from an
// RBAC one.
func isAdmissionDenial(msg string) bool {
	return strings.Contains(msg, "admission webhook") || strings.Contains(msg, "denied request") ||
		strings.Contains(msg, "ValidatingAdmissionPolicy")
}

// isSchemaRejection recognises server-side apply's report of a field the
// CRD's schema does not have, which the API server sends as a 500.
func isSchemaRejection(msg string) bool {
	return strings.Contains(msg, "field not declared in schema") || strings.Contains(msg, "failed to create typed patch object")
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isUnreachable(err error) bool {
	var (
		op  *net.OpError
		dns *net.DNSError
		ue  *url.Error
	)
	switch {
	case errors.As(err, &op), errors.As(err, &dns):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return true
	case errors.As(err, &ue):
		// TLS handshake failures and the like: the server was not reached
		// in a way that lets it answer.
		return true
	}
	return false
}

// rootCause strips client-go's "Get \"https://…\": " prefix, whose URL the
// message already names.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
