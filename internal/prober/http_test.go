package prober

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"
)

// serverTarget points a probe at srv: its host, and its port in place of
// the probe's.
func serverTarget(t *testing.T, srv *httptest.Server) Target {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	return Target{Host: u.Hostname(), Port: port, UserAgent: "kube-probe/1.37"}
}

func httpProbe(path string, timeout int32, headers ...k8sv1.HTTPHeader) *v1.Probe {
	return &v1.Probe{TimeoutSeconds: timeout, Handler: v1.Handler{HTTPGet: &k8sv1.HTTPGetAction{
		Path: path, Port: intstr.FromInt32(1500), HTTPHeaders: headers}}}
}

func check(t *testing.T, p *v1.Probe, tg Target) Result {
	t.Helper()
	c, err := NewChecker(p, tg)
	if err != nil {
		t.Fatal(err)
	}
	return c.Check(context.Background())
}

func TestHTTPStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.WriteHeader(code)
	}))
	defer srv.Close()
	for _, tt := range []struct {
		code int
		want Outcome
	}{
		{200, Success}, {204, Success}, {299, Success},
		{304, Warning}, {399, Warning},
		{400, Failure}, {404, Failure}, {500, Failure}, {503, Failure},
	} {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			got := check(t, httpProbe(fmt.Sprintf("/%d", tt.code), 1), serverTarget(t, srv))
			if got.Outcome != tt.want {
				t.Errorf("HTTP %d: got %s (%s), want %s", tt.code, got.Outcome, got.Detail, tt.want)
			}
		})
	}
}

func TestHTTPTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	got := check(t, httpProbe("/slow", 1), serverTarget(t, srv))
	if got.Outcome != Failure || !strings.Contains(got.Detail, "no answer within 1s") {
		t.Errorf("got %s (%s), want a failure for the timeout", got.Outcome, got.Detail)
	}
}

func TestHTTPBodyReadBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 4096))
		for r.Context().Err() == nil { // endless: only the client's limit ends it
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	if got := check(t, httpProbe("/", 5), serverTarget(t, srv)); got.Outcome != Success {
		t.Errorf("got %s (%s), want success on the status alone", got.Outcome, got.Detail)
	}
}

func TestHTTPRedirects(t *testing.T) {
	var otherHits, elsewhereHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer other.Close()
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhereHits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer elsewhere.Close()
	otherPort := other.Listener.Addr().(*net.TCPAddr).Port
	elsewherePort := elsewhere.Listener.Addr().(*net.TCPAddr).Port
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/fail", http.StatusFound)
		case "/fail":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/ok":
			http.Redirect(w, r, "/healthz", http.StatusMovedPermanently)
		case "/healthz":
			w.WriteHeader(http.StatusOK)
		case "/other-port":
			// Same host name, another port: followed.
			http.Redirect(w, r, fmt.Sprintf("http://127.0.0.1:%d/", otherPort), http.StatusTemporaryRedirect)
		case "/other-host":
			// localhost is another host name than 127.0.0.1: not followed.
			http.Redirect(w, r, fmt.Sprintf("http://localhost:%d/", elsewherePort), http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer srv.Close()
	tg := serverTarget(t, srv)
	tg.Host = "127.0.0.1"
	for _, tt := range []struct {
		path   string
		want   Outcome
		detail string
	}{
		{"/ok", Success, "/healthz"},
		{"/moved", Failure, "HTTP 503"},
		{"/other-port", Success, fmt.Sprintf(":%d/", otherPort)},
		{"/other-host", Warning, "not followed"},
		{"/loop", Failure, "stopped after 10 redirects"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			got := check(t, httpProbe(tt.path, 2), tg)
			if got.Outcome != tt.want || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("got %s (%s), want %s mentioning %q", got.Outcome, got.Detail, tt.want, tt.detail)
			}
		})
	}
	if otherHits.Load() != 1 {
		t.Errorf("the redirect to another port of the same host reached it %d times, want 1", otherHits.Load())
	}
	if elsewhereHits.Load() != 0 {
		t.Errorf("the redirect to another host was followed %d times", elsewhereHits.Load())
	}
}

func TestHTTPHeaders(t *testing.T) {
	var got http.Header
	var host string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, host = r.Header.Clone(), r.Host
	}))
	defer srv.Close()
	tg := serverTarget(t, srv)

	check(t, httpProbe("/", 1), tg)
	if got.Get("User-Agent") != "kube-probe/1.37" || got.Get("Accept") != "*/*" || got.Get("Accept-Encoding") != "" {
		t.Errorf("default headers %v, want User-Agent kube-probe/1.37, Accept */*, no Accept-Encoding", got)
	}
	if want := tg.Host + ":" + strconv.Itoa(tg.Port); host != want {
		t.Errorf("Host %q, want %q", host, want)
	}

	check(t, httpProbe("/", 1,
		k8sv1.HTTPHeader{Name: "Host", Value: "web.example.com"},
		k8sv1.HTTPHeader{Name: "X-Probe", Value: "a"},
		k8sv1.HTTPHeader{Name: "X-Probe", Value: "b"},
		k8sv1.HTTPHeader{Name: "Accept", Value: "application/json"},
		k8sv1.HTTPHeader{Name: "User-Agent", Value: "mine"}), tg)
	if host != "web.example.com" {
		t.Errorf("Host %q, want the probe's Host header", host)
	}
	if v := got.Values("X-Probe"); len(v) != 2 || v[0] != "a" || v[1] != "b" {
		t.Errorf("X-Probe %q, want both values", v)
	}
	if got.Get("Accept") != "application/json" || got.Get("User-Agent") != "mine" {
		t.Errorf("headers %v: the probe's Accept and User-Agent must replace the defaults", got)
	}
}

func TestHTTPSWithoutVerification(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	p := httpProbe("/", 1)
	p.HTTPGet.Scheme = k8sv1.URISchemeHTTPS
	if got := check(t, p, serverTarget(t, srv)); got.Outcome != Success {
		t.Errorf("got %s (%s), want success with a self-signed certificate", got.Outcome, got.Detail)
	}
}

func TestHTTPRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	got := check(t, httpProbe("/", 1), Target{Host: "127.0.0.1", Port: port})
	if got.Outcome != Failure || !strings.Contains(got.Detail, "refused") {
		t.Errorf("got %s (%s), want a refused failure", got.Outcome, got.Detail)
	}
}

func TestTargetPort(t *testing.T) {
	p := httpProbe("/", 1)
	for _, tt := range []struct {
		tg   Target
		want string
		err  bool
	}{
		{tg: Target{Host: "127.0.0.1"}, want: "GET http://127.0.0.1:1500/"},
		{tg: Target{Host: "127.0.0.1", Port: 8080}, want: "GET http://127.0.0.1:8080/"},
		{tg: Target{Host: "::1", Port: 8080}, want: "GET http://[::1]:8080/"},
		{tg: Target{}, err: true},
	} {
		c, err := NewChecker(p, tt.tg)
		if tt.err {
			if err == nil {
				t.Errorf("%+v: no error", tt.tg)
			}
			continue
		}
		if err != nil || action(c) != tt.want {
			t.Errorf("%+v: got %q, %v, want %q", tt.tg, action(c), err, tt.want)
		}
	}
	named := &v1.Probe{Handler: v1.Handler{TCPSocket: &k8sv1.TCPSocketAction{Port: intstr.FromString("http")}}}
	if _, err := NewChecker(named, Target{Host: "127.0.0.1"}); err == nil {
		t.Error("a named port without the address's port: no error")
	}
	if _, err := NewChecker(named, Target{Host: "127.0.0.1", Port: 80}); err != nil {
		t.Errorf("a named port with the address's port: %v", err)
	}
}
