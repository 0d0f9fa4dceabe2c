package prober

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	k8sv1 "k8s.io/api/core/v1"
)

// The kubelet's limits for httpGet probes.
const (
	// maxBodyBytes is how much of the body the kubelet reads (10 KiB); it
	// closes the connection after that, and the status alone decides.
	maxBodyBytes = 10 << 10
	// maxRedirects is how many redirects to the same host it follows.
	maxRedirects = 10
)

// httpCheck is an httpGet probe as the kubelet sends it: a GET with its
// User-Agent and Accept unless the probe sets them, the probe's headers
// (Host among them), no certificate check for HTTPS, no proxy, no
// keep-alive and no compression; status 200–399 is a success.
type httpCheck struct {
	url       string
	headers   http.Header
	host      string
	timeout   time.Duration
	userAgent string
	client    *http.Client
}

func newHTTPCheck(g *k8sv1.HTTPGetAction, addr string, timeout time.Duration, userAgent string) *httpCheck {
	scheme := strings.ToLower(string(g.Scheme))
	if scheme == "" {
		scheme = "http"
	}
	path := g.Path
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	c := &httpCheck{url: scheme + "://" + addr + path, headers: http.Header{}, timeout: timeout, userAgent: userAgent}
	for _, h := range g.HTTPHeaders {
		if strings.EqualFold(h.Name, "Host") {
			c.host = h.Value
			continue
		}
		c.headers.Add(h.Name, h.Value)
	}
	transport := &http.Transport{
		Proxy:              nil,
		TLSClientConfig:    &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the kubelet does not verify probe certificates
		DisableKeepAlives:  true,
		DisableCompression: true,
		DialContext:        (&net.Dialer{Timeout: timeout}).DialContext,
	}
	c.client = &http.Client{Timeout: timeout, Transport: transport, CheckRedirect: checkRedirect}
	return c
}

// checkRedirect follows redirects to the same host name (any port), up to
// maxRedirects; a redirect elsewhere is not followed, and its 3xx answer
// is the result.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Hostname() != via[0].URL.Hostname() {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	return nil
}

func (c *httpCheck) Check(ctx context.Context) Result {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return Result{Outcome: Failure, Detail: err.Error()}
	}
	req.Header = c.headers.Clone()
	if req.Header.Get("User-Agent") == "" && c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "*/*")
	}
	if c.host != "" {
		req.Host = c.host
	}
	res, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			return Result{Outcome: Failure, Detail: fmt.Sprintf("no answer within %v: %v", c.timeout, ue.Err)}
		}
		return Result{Outcome: Failure, Detail: err.Error()}
	}
	defer res.Body.Close()
	// Read what the kubelet reads; a timeout while reading fails the probe.
	if _, err := io.Copy(io.Discard, io.LimitReader(res.Body, maxBodyBytes)); err != nil {
		return Result{Outcome: Failure, Detail: fmt.Sprintf("HTTP %d, then reading the body: %v", res.StatusCode, err)}
	}
	status := fmt.Sprintf("HTTP %d", res.StatusCode)
	if res.Request != nil && res.Request.URL.String() != c.url {
		status += " from " + res.Request.URL.String()
	}
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return Result{Outcome: Success, Detail: status}
	case res.StatusCode >= 300 && res.StatusCode < 400:
		if where := res.Header.Get("Location"); where != "" {
			return Result{Outcome: Warning, Detail: fmt.Sprintf("%s, a redirect to %s, not followed (another host): the kubelet counts it a success and records a warning", status, where)}
		}
		return Result{Outcome: Warning, Detail: status + ": the kubelet counts a 3xx answer a success and records a warning"}
	}
	return Result{Outcome: Failure, Detail: status}
}
