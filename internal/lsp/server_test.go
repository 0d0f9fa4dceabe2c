package lsp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/vmhealth/vmhealth/internal/lsp/lsptest"
	"github.com/vmhealth/vmhealth/validate"
)

const docURI = "file:///home/user/vm/broken.yaml"

// session runs a Server over pipes and returns a client of it and a
// function that waits for Serve to return.
func session(t testing.TB, opts Options) (*lsptest.Client, func() error) {
	t.Helper()
	if opts.Linter == nil {
		l := validate.MustNew(validate.Options{Disabled: map[string]bool{"watchdog-guest-setup": true}})
		opts.Linter = func(string) (*validate.Linter, bool, error) { return l, false, nil }
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(inR, outW)
		outW.Close()
		done <- err
	}()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	return lsptest.New(outR, inW), func() error { return <-done }
}

func mustCall(t *testing.T, c *lsptest.Client, method string, params any) lsptest.Message {
	t.Helper()
	m, err := c.Call(method, params, nil)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return m
}

func decodeAs[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

func initialize(t *testing.T, c *lsptest.Client) {
	t.Helper()
	m := mustCall(t, c, "initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}})
	if m.Error != nil {
		t.Fatalf("initialize: %+v", m.Error)
	}
	caps := decodeAs[struct {
		Capabilities struct {
			TextDocumentSync   struct{ Change int }
			HoverProvider      bool
			CodeActionProvider struct{ CodeActionKinds []string }
			CompletionProvider *struct{}
		}
	}](t, m.Result).Capabilities
	if caps.TextDocumentSync.Change != 1 || !caps.HoverProvider || !slices.Contains(caps.CodeActionProvider.CodeActionKinds, "quickfix") || caps.CompletionProvider == nil {
		t.Fatalf("capabilities: %s", m.Result)
	}
	if err := c.Notify("initialized", map[string]any{}); err != nil {
		t.Fatal(err)
	}
}

// diagnosticJSON is a diagnostic as it travels, code included (glsp's
// IntegerOrString does not decode).
type diagnosticJSON struct {
	Range           protocol.Range `json:"range"`
	Severity        int            `json:"severity"`
	Code            string         `json:"code"`
	CodeDescription struct {
		Href string `json:"href"`
	} `json:"codeDescription"`
	Source  string `json:"source"`
	Message string `json:"message"`
}

func waitDiagnostics(t *testing.T, c *lsptest.Client) (string, int, []diagnosticJSON) {
	t.Helper()
	m, err := c.WaitNotification("textDocument/publishDiagnostics")
	if err != nil {
		t.Fatal(err)
	}
	p := decodeAs[struct {
		URI         string           `json:"uri"`
		Version     *int             `json:"version"`
		Diagnostics []diagnosticJSON `json:"diagnostics"`
	}](t, m.Params)
	v := -1
	if p.Version != nil {
		v = *p.Version
	}
	return p.URI, v, p.Diagnostics
}

func rng(l1, c1, l2, c2 uint32) protocol.Range {
	return protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
}

func byCode(ds []diagnosticJSON, code string) *diagnosticJSON {
	for i := range ds {
		if ds[i].Code == code {
			return &ds[i]
		}
	}
	return nil
}

// applyEdits applies the single-document edits of a workspace edit.
func applyEdits(t *testing.T, text string, edits []protocol.TextEdit) string {
	t.Helper()
	// Later edits first, so earlier offsets hold.
	slices.SortFunc(edits, func(a, b protocol.TextEdit) int {
		if before(a.Range.Start, b.Range.Start) {
			return 1
		}
		return -1
	})
	for _, e := range edits {
		from, to := offsetOf(text, e.Range.Start), offsetOf(text, e.Range.End)
		text = text[:from] + e.NewText + text[to:]
	}
	return text
}

func TestLspSession(t *testing.T) {
	broken, err := os.ReadFile("testdata/broken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, wait := session(t, Options{Version: "test"})
	initialize(t, c)
	if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": docURI, "languageId": "yaml", "version": 1, "text": string(broken)}}); err != nil {
		t.Fatal(err)
	}
	uri, version, diags := waitDiagnostics(t, c)
	if uri != docURI || version != 1 {
		t.Fatalf("published for %s version %d", uri, version)
	}
	if len(diags) != 2 {
		t.Fatalf("got %d diagnostics, want 2: %+v", len(diags), diags)
	}
	// periodSecond at line 24, column 9 of the file: 0-based 23:8, and
	// the key is 12 characters long.
	uf := byCode(diags, "unknown-field")
	if uf == nil || uf.Range != rng(23, 8, 23, 20) || uf.Severity != 1 || uf.Source != "vmhealth" ||
		!strings.HasSuffix(uf.CodeDescription.Href, "rules.md#unknown-field") || !strings.Contains(uf.Message, `"periodSecond"`) {
		t.Errorf("unknown-field diagnostic: %+v", uf)
	}
	wa := byCode(diags, "watchdog-action")
	if wa == nil || wa.Range != rng(17, 14, 17, 20) {
		t.Errorf("watchdog-action diagnostic: %+v", wa)
	}

	// The quickfix of the typo: the one missing "s".
	m := mustCall(t, c, "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": docURI},
		"range":        rng(23, 10, 23, 10),
		"context":      map[string]any{"diagnostics": []any{}},
	})
	actions := decodeAs[[]protocol.CodeAction](t, m.Result)
	var quick *protocol.CodeAction
	for i := range actions {
		if actions[i].Kind != nil && *actions[i].Kind == protocol.CodeActionKindQuickFix {
			if quick != nil {
				t.Fatalf("two quickfixes at the typo: %s", m.Result)
			}
			quick = &actions[i]
		}
	}
	if quick == nil || quick.Edit == nil || !strings.Contains(quick.Title, "renamed periodSecond to periodSeconds") {
		t.Fatalf("no quickfix for the typo: %s", m.Result)
	}
	edits := quick.Edit.Changes[docURI]
	if len(edits) != 1 || edits[0].Range != rng(23, 20, 23, 20) || edits[0].NewText != "s" {
		t.Fatalf("quickfix edits: %+v", edits)
	}
	fixedOne := applyEdits(t, string(broken), edits)
	if !strings.Contains(fixedOne, "\n        periodSeconds: 5\n") || strings.Count(fixedOne, "\n") != strings.Count(string(broken), "\n") {
		t.Fatalf("text after the quickfix:\n%s", fixedOne)
	}
	var all *protocol.CodeAction
	for i := range actions {
		if actions[i].Kind != nil && *actions[i].Kind == codeActionFixAll {
			all = &actions[i]
		}
	}
	if all == nil {
		t.Fatalf("no fix-all action: %s", m.Result)
	}
	fixedAll := applyEdits(t, string(broken), all.Edit.Changes[docURI])
	want := strings.NewReplacer("periodSecond:", "periodSeconds:", "action: Reset", "action: reset").Replace(string(broken))
	if fixedAll != want {
		t.Fatalf("text after fix-all:\n%s\nwant:\n%s", fixedAll, want)
	}

	// Hover on readinessProbe: explain's numbers (60 s + the 10 s
	// KubeVirt adds).
	m = mustCall(t, c, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": protocol.Position{Line: 18, Character: 10}})
	hov := decodeAs[struct {
		Contents protocol.MarkupContent
		Range    protocol.Range
	}](t, m.Result)
	for _, s := range []string{"**readinessProbe** (httpGet)", "| initialDelaySeconds | 60 | 60 | 70 |", "Ready at the soonest: 70 s", "a hung guest goes unnoticed for"} {
		if !strings.Contains(hov.Contents.Value, s) {
			t.Errorf("hover lacks %q:\n%s", s, hov.Contents.Value)
		}
	}
	if hov.Range != rng(18, 6, 18, 20) || hov.Contents.Kind != protocol.MarkupKindMarkdown {
		t.Errorf("hover range %+v kind %s", hov.Range, hov.Contents.Kind)
	}
	// On a key inside the watchdog.
	m = mustCall(t, c, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": protocol.Position{Line: 15, Character: 12}})
	if !strings.Contains(string(m.Result), `**watchdog** \"wd\": model i6300esb`) {
		t.Errorf("watchdog hover: %s", m.Result)
	}
	// Outside probes and watchdog: nothing.
	m = mustCall(t, c, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": protocol.Position{Line: 5, Character: 3}})
	if string(m.Result) != "null" {
		t.Errorf("hover on metadata.name: %s", m.Result)
	}

	// Completion: the fields of a probe at the start of a key of it, the
	// schemes after scheme:, the actions after action:.
	complete := func(line, char uint32) []string {
		m := mustCall(t, c, "textDocument/completion", map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": protocol.Position{Line: line, Character: char}})
		var labels []string
		for _, it := range decodeAs[protocol.CompletionList](t, m.Result).Items {
			labels = append(labels, it.Label)
		}
		return labels
	}
	// On periodSecond's line: the probe's other fields, not those it has.
	if got := complete(23, 8); !slices.Contains(got, "periodSeconds") || !slices.Contains(got, "guestAgentPing") ||
		slices.Contains(got, "port") || slices.Contains(got, "httpGet") || slices.Contains(got, "initialDelaySeconds") {
		t.Errorf("probe fields: %v", got)
	}
	// On port's line: port itself is offered (it is what the line is), scheme is not.
	if got := complete(20, 10); !slices.Contains(got, "path") || !slices.Contains(got, "port") || slices.Contains(got, "scheme") {
		t.Errorf("httpGet fields: %v", got)
	}
	if got := complete(21, 18); !slices.Equal(got, []string{"HTTP", "HTTPS"}) {
		t.Errorf("scheme values: %v", got)
	}
	if got := complete(17, 22); !slices.Contains(got, "poweroff") || !slices.Contains(got, "reset") {
		t.Errorf("watchdog actions: %v", got)
	}
	if got := complete(16, 12); !slices.Contains(got, "i6300esb") || !slices.Contains(got, "diag288") {
		t.Errorf("watchdog fields: %v", got)
	}

	// The user applies the fixes: the diagnostics go.
	if err := c.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": docURI, "version": 2},
		"contentChanges": []any{map[string]any{"text": fixedAll}}}); err != nil {
		t.Fatal(err)
	}
	if _, version, diags := waitDiagnostics(t, c); version != 2 || len(diags) != 0 {
		t.Fatalf("after the fix, version %d: %+v", version, diags)
	}

	m = mustCall(t, c, "shutdown", nil)
	if m.Error != nil || string(m.Result) != "null" {
		t.Fatalf("shutdown: %+v %s", m.Error, m.Result)
	}
	// After shutdown only exit is accepted.
	if m = mustCall(t, c, "textDocument/hover", map[string]any{}); m.Error == nil || m.Error.Code != codeInvalidRequest {
		t.Fatalf("request after shutdown: %+v", m)
	}
	if err := c.Notify("exit", nil); err != nil {
		t.Fatal(err)
	}
	if err := wait(); err != nil {
		t.Fatalf("Serve after shutdown and exit: %v", err)
	}
}

// TestLspNoFalseDiagnostics holds that files that are not KubeVirt YAML
// get an empty list, not YAML syntax errors.
func TestLspNoFalseDiagnostics(t *testing.T) {
	c, _ := session(t, Options{})
	initialize(t, c)
	for _, doc := range []struct{ uri, lang, text string }{
		{"file:///x/compose.yaml", "yaml", "services:\n  web:\n    image: \"x\n"},
		{"file:///x/deploy.yaml", "yaml", "apiVersion: apps/v1\nkind: Deployment\nspec: [\n"},
		{"file:///x/main.go", "go", "package main // kubevirt.io/v1\nfunc main() {\n"},
		{"file:///x/chart/templates/vm.yaml", "yaml", "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: {{ .Values.name }}\n"},
	} {
		if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": doc.uri, "languageId": doc.lang, "version": 1, "text": doc.text}}); err != nil {
			t.Fatal(err)
		}
		uri, _, diags := waitDiagnostics(t, c)
		if uri != doc.uri || len(diags) != 0 {
			t.Errorf("%s: %+v", uri, diags)
		}
	}
	// A KubeVirt file with a syntax error does get it.
	if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": "file:///x/vm.yaml", "languageId": "yaml", "version": 1,
		"text": "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nspec: [\n"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, diags := waitDiagnostics(t, c); len(diags) != 1 || diags[0].Code != "yaml-syntax" {
		t.Errorf("syntax error of a KubeVirt file: %+v", diags)
	}
}

// syncBuffer is a log that two goroutines may use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLspBadInput holds that no input stops the server: broken JSON,
// wrong params, unknown methods, a panic inside a handler.
func TestLspBadInput(t *testing.T) {
	var log syncBuffer
	c, wait := session(t, Options{Log: &log, Linter: func(path string) (*validate.Linter, bool, error) {
		if strings.HasSuffix(path, "panic.yaml") {
			panic("boom")
		}
		return validate.MustNew(validate.Options{}), false, nil
	}})
	if m := mustCall(t, c, "textDocument/hover", map[string]any{}); m.Error == nil || m.Error.Code != codeServerNotInitialized {
		t.Fatalf("before initialize: %+v", m)
	}
	initialize(t, c)
	if err := c.Send([]byte(`{"jsonrpc":"2.0","id":7,"method":`)); err != nil {
		t.Fatal(err)
	}
	if m, err := c.Next(); err != nil || m.Error == nil || m.Error.Code != codeParseError || string(m.ID) != "null" {
		t.Fatalf("broken JSON: %+v %v", m, err)
	}
	for _, tc := range []struct {
		method string
		params any
		code   int
	}{
		{"textDocument/hover", "not an object", codeInvalidParams},
		{"textDocument/completion", map[string]any{"position": map[string]any{"line": -1}}, codeInvalidParams},
		{"textDocument/codeAction", nil, codeInvalidParams},
		{"textDocument/formatting", map[string]any{}, codeMethodNotFound},
	} {
		if m := mustCall(t, c, tc.method, tc.params); m.Error == nil || m.Error.Code != tc.code {
			t.Errorf("%s %v: %+v", tc.method, tc.params, m)
		}
	}
	// Positions past the end of an open document answer nothing.
	if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": "file:///x/vm.yaml", "languageId": "yaml", "version": 1, "text": "apiVersion: kubevirt.io/v1\n"}}); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"textDocument/hover", "textDocument/completion", "textDocument/codeAction"} {
		m := mustCall(t, c, method, map[string]any{"textDocument": map[string]any{"uri": "file:///x/vm.yaml"}, "position": protocol.Position{Line: 99, Character: 99}, "range": rng(99, 0, 99, 9)})
		if m.Error != nil {
			t.Errorf("%s past the end: %+v", method, m.Error)
		}
	}
	// A panic in a notification is logged; the server answers the next
	// request.
	if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": "file:///x/panic.yaml", "languageId": "yaml", "version": 1, "text": "apiVersion: kubevirt.io/v1\n"}}); err != nil {
		t.Fatal(err)
	}
	if m := mustCall(t, c, "shutdown", nil); m.Error != nil {
		t.Fatalf("shutdown after a panic: %+v", m.Error)
	}
	if !strings.Contains(log.String(), "panic in textDocument/didOpen: boom") {
		t.Errorf("log: %s", log.String())
	}
	// exit without shutdown is the protocol's exit code 1.
	c2, wait2 := session(t, Options{})
	initialize(t, c2)
	if err := c2.Notify("exit", nil); err != nil {
		t.Fatal(err)
	}
	if err := wait2(); !errors.Is(err, ErrExitWithoutShutdown) {
		t.Errorf("exit without shutdown: %v", err)
	}
	_ = wait
}

// TestLspCompletionInsideListsAndTemplates holds completion to the kind of
// the object in a List's items or an OpenShift Template's objects, and to
// a key still being typed on a new list item.
func TestLspCompletionInsideListsAndTemplates(t *testing.T) {
	c, _ := session(t, Options{})
	initialize(t, c)
	docs := []struct {
		name, text string
		line, char uint32
		want       string
	}{
		{"List", `apiVersion: v1
kind: List
items:
- apiVersion: kubevirt.io/v1
  kind: VirtualMachineInstance
  metadata:
    name: a
  spec:
    readinessProbe:
      tcpSocket:
        port: 22
      ` + "\n", 11, 6, "periodSeconds"},
		{"Template", `apiVersion: template.openshift.io/v1
kind: Template
objects:
  - kind: VirtualMachine
    apiVersion: kubevirt.io/v1
    spec:
      template:
        spec:
          domain:
            devices:
              watchdog:
                ` + "\n", 11, 16, "i6300esb"},
		{"new item", `apiVersion: kubevirt.io/v1
kind: VirtualMachine
spec:
  template:
    spec:
      domain:
        devices:
          interfaces:
          - name: default
            masquerade: {}
            ports:
            - name: ssh
              port: 22
            - pro` + "\n", 13, 17, "protocol"},
	}
	for i, d := range docs {
		uri := fmt.Sprintf("file:///x/%d.yaml", i)
		if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "yaml", "version": 1, "text": d.text}}); err != nil {
			t.Fatal(err)
		}
		m := mustCall(t, c, "textDocument/completion", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": protocol.Position{Line: d.line, Character: d.char}})
		var labels []string
		for _, it := range decodeAs[protocol.CompletionList](t, m.Result).Items {
			labels = append(labels, it.Label)
		}
		if !slices.Contains(labels, d.want) {
			t.Errorf("%s: no %q in %v", d.name, d.want, labels)
		}
	}
}
