package kube

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

const testToken = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLXZhbHVl.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

func TestRedact(t *testing.T) {
	r := NewRedactor(&rest.Config{BearerToken: "s3cr3t-token-value", Password: "hunter2-pw"})
	for _, tt := range []struct{ in, mustNot string }{
		{"Authorization: Bearer abc.def-ghi", "abc.def-ghi"},
		{"token " + testToken + " leaked", "c2VjcmV0LXRva2VuLXZhbHVl"},
		{"error with s3cr3t-token-value inside", "s3cr3t-token-value"},
		{"base64 czNjcjN0LXRva2VuLXZhbHVl here", "czNjcjN0LXRva2VuLXZhbHVl"},
		{"https://user:hunter2-pw@host/api", "hunter2-pw"},
		{"GET https://h/api?access_token=abcdef123", "abcdef123"},
		{"token: abcdefghijkl", "abcdefghijkl"},
		{`"client-key-data": "LS0tLS1CRUdJTi"`, "LS0tLS1CRUdJTi"},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "MIIEow"},
	} {
		got := r.Redact(tt.in)
		if strings.Contains(got, tt.mustNot) {
			t.Errorf("Redact(%q) = %q still holds %q", tt.in, got, tt.mustNot)
		}
	}
	if got := r.Redact(`virtualmachines.kubevirt.io "web-1" not found`); got != `virtualmachines.kubevirt.io "web-1" not found` {
		t.Errorf("an ordinary message changed: %q", got)
	}
}

// writeKubeconfig writes a kubeconfig for server with a bearer token.
func writeKubeconfig(t *testing.T, server, namespace string) string {
	t.Helper()
	ns := ""
	if namespace != "" {
		ns = "\n    namespace: " + namespace
	}
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ` + server + `
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: ` + testToken + `
contexts:
- name: ctx
  context:
    cluster: c
    user: u` + ns + `
- name: other
  context:
    cluster: c
    user: u
    namespace: elsewhere
current-context: ctx
`
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConnectNamespaceAndContext(t *testing.T) {
	kc := writeKubeconfig(t, "https://127.0.0.1:1", "team-a")
	for _, tt := range []struct {
		flags        Flags
		wantNS       string
		wantExplicit bool
	}{
		{Flags{Kubeconfig: kc}, "team-a", false},
		{Flags{Kubeconfig: kc, Namespace: "x"}, "x", true},
		{Flags{Kubeconfig: kc, Context: "other"}, "elsewhere", false},
	} {
		c, err := Connect(tt.flags, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Namespace != tt.wantNS || c.NamespaceExplicit != tt.wantExplicit {
			t.Errorf("%+v: namespace %q (explicit %v), want %q (%v)", tt.flags, c.Namespace, c.NamespaceExplicit, tt.wantNS, tt.wantExplicit)
		}
		if c.Config.QPS != DefaultQPS || c.Config.Burst != DefaultBurst {
			t.Errorf("QPS/burst = %v/%d", c.Config.QPS, c.Config.Burst)
		}
		if strings.Contains(c.Describe, testToken) || !strings.Contains(c.Describe, "bearer token") {
			t.Errorf("Describe = %q", c.Describe)
		}
	}
	if _, err := Connect(Flags{Kubeconfig: kc, Context: "nope"}, Options{}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown context: %v", err)
	}
}

func TestConnectNoConfig(t *testing.T) {
	t.Setenv("KUBECONFIG", "")
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if _, err := Connect(Flags{}, Options{}); !errors.Is(err, ErrNoConfig) {
		t.Errorf("err = %v, want ErrNoConfig", err)
	}
}

// A server that rejects the token: whatever client-go reports, and
// whatever -v logs, holds no token.
func TestNoTokenInErrorsOrLogs(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		// A careless server echoing the credential back.
		w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401,"message":"bad token ` +
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + `"}`))
	}))
	defer srv.Close()
	var log bytes.Buffer
	c, err := Connect(Flags{Kubeconfig: writeKubeconfig(t, srv.URL, "")}, Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Dynamic.Resource(schema.GroupVersionResource{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachines"}).
		Namespace("x").Get(context.Background(), "vm", metav1.GetOptions{})
	if err == nil {
		t.Fatal("no error")
	}
	err = c.Explain(err, "get", "virtualmachines.kubevirt.io")
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("err = %v, want ErrUnauthorized", err)
	}
	for what, s := range map[string]string{"error": err.Error(), "log": log.String()} {
		if strings.Contains(s, testToken) || strings.Contains(s, "c2VjcmV0LXRva2VuLXZhbHVl") {
			t.Errorf("%s holds the token: %s", what, s)
		}
	}
	if !strings.Contains(log.String(), "GET "+srv.URL) {
		t.Errorf("log lacks the request: %q", log.String())
	}
}

func TestExplain(t *testing.T) {
	c := &Clients{Config: &rest.Config{Host: "https://api.example:6443", Timeout: time.Second}, Redactor: NewRedactor(nil)}
	gr := schema.GroupResource{Group: "kubevirt.io", Resource: "virtualmachines"}

	forbidden := apierrors.NewForbidden(gr, "web", errors.New(`User "alice" cannot patch resource "virtualmachines" in API group "kubevirt.io" in the namespace "demo"`))
	err := c.Explain(forbidden, "patch", "virtualmachines.kubevirt.io")
	if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), `cannot patch resource "virtualmachines"`) || !strings.Contains(err.Error(), `"patch" verb`) {
		t.Errorf("forbidden: %v", err)
	}

	webhook := apierrors.NewForbidden(gr, "web", errors.New(`admission webhook "virtualmachine-validator.kubevirt.io" denied the request: nope`))
	if err := c.Explain(webhook, "patch", "virtualmachines.kubevirt.io"); !errors.Is(err, ErrRejected) {
		t.Errorf("webhook denial: %v, want ErrRejected", err)
	}

	invalid := apierrors.NewInvalid(schema.GroupKind{Group: "kubevirt.io", Kind: "VirtualMachine"}, "web", nil)
	if err := c.Explain(invalid, "patch", "virtualmachines.kubevirt.io"); !errors.Is(err, ErrRejected) {
		t.Errorf("invalid: %v, want ErrRejected", err)
	}

	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, dialErr := http.Get("http://" + addr)
	if err := c.Explain(dialErr, "get", "x"); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "cannot reach the API server at https://api.example:6443") {
		t.Errorf("refused: %v", err)
	}

	if err := c.Explain(context.DeadlineExceeded, "get", "x"); !errors.Is(err, ErrTimeout) {
		t.Errorf("deadline: %v", err)
	}
}

// TestTLSVerifiedByDefault: a kubeconfig that neither names the server's CA
// nor sets insecure-skip-tls-verify gets the server's certificate checked,
// and a certificate from an unknown authority is refused with a message
// that says so (and holds no credential).
func TestTLSVerifiedByDefault(t *testing.T) {
	var served atomic.Bool
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Store(true) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	path := writeKubeconfig(t, srv.URL, "")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), "    insecure-skip-tls-verify: true\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Connect(Flags{Kubeconfig: path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Dynamic.Resource(schema.GroupVersionResource{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachines"}).
		Namespace("x").Get(context.Background(), "vm", metav1.GetOptions{})
	if err == nil || served.Load() {
		t.Fatalf("an unverified server was talked to (err %v, request served %v)", err, served.Load())
	}
	msg := c.Explain(err, "get", "virtualmachines.kubevirt.io").Error()
	if !strings.Contains(msg, "certificate") || strings.Contains(msg, testToken) {
		t.Errorf("message %q should name the certificate problem and no token", msg)
	}
}
