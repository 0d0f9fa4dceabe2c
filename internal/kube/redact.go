package kube

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// Redacted replaces a secret in text.
const Redacted = "[REDACTED]"

// Redactor removes credentials from text before it is shown: the secrets of
// one rest.Config wherever they appear, and anything shaped like a
// credential (bearer tokens, JWTs, PEM blocks, passwords in URLs, token
// keys of a kubeconfig). client-go's errors carry URLs, not tokens, but
// vmhealth does not rely on that.
type Redactor struct {
	secrets []string
}

// NewRedactor returns a Redactor that knows the secrets of cfg (which may
// be nil).
func NewRedactor(cfg *rest.Config) *Redactor {
	r := &Redactor{}
	if cfg == nil {
		return r
	}
	add := func(s string) {
		// Short values (a password "x") would blank out ordinary words.
		if len(s) >= 6 {
			r.secrets = append(r.secrets, s, base64.StdEncoding.EncodeToString([]byte(s)))
		}
	}
	add(cfg.BearerToken)
	add(cfg.Password)
	add(string(cfg.KeyData))
	add(string(cfg.CertData))
	// Longest first, so a secret that contains another goes whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	return r
}

var credentialPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)`), Redacted},
	{regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*`), "$1 " + Redacted},
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`), Redacted},
	{regexp.MustCompile(`(://)[^/@\s:]*:[^/@\s]*@`), "${1}" + Redacted + "@"},
	{regexp.MustCompile(`(?i)([?&](?:access_token|token|password)=)[^&\s"]+`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)("?(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token)"?\s*[:=]\s*"?)[^\s",}]+`), "${1}" + Redacted},
}

// Redact returns s without credentials.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		for _, sec := range r.secrets {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	for _, p := range credentialPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// Error returns err with its message redacted, keeping it for errors.Is
// and errors.As.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := r.Redact(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// logTransport writes one line a request for -v: no headers, no bodies.
type logTransport struct {
	next http.RoundTripper
	w    io.Writer
	red  *Redactor
	mu   sync.Mutex
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	took := time.Since(start).Round(time.Millisecond)
	var line string
	if err != nil {
		line = fmt.Sprintf("%s %s: %v (%s)", req.Method, req.URL, err, took)
	} else {
		line = fmt.Sprintf("%s %s %s in %s", req.Method, req.URL, resp.Status, took)
	}
	t.mu.Lock()
	fmt.Fprintln(t.w, "vmhealth: "+t.red.Redact(line))
	t.mu.Unlock()
	return resp, err
}

// warningWriter shows the API server's warnings once each.
type warningWriter struct {
	w    io.Writer
	red  *Redactor
	mu   sync.Mutex
	seen map[string]bool
}

func (h *warningWriter) HandleWarningHeader(code int, _ string, msg string) {
	if code != 299 || msg == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.seen == nil {
		h.seen = map[string]bool{}
	}
	if h.seen[msg] {
		return
	}
	h.seen[msg] = true
	fmt.Fprintf(h.w, "vmhealth: warning from the API server: %s\n", h.red.Redact(msg))
}
