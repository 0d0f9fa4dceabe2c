package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/vmhealth/vmhealth/internal/doctest"
)

// TestLspDocShowsRealOutput holds the "On the wire" examples of
// docs/lsp.md to what the server answers now: the capabilities, the
// unknown-field diagnostic, its quickfix's edit and the start of the
// livenessProbe hover.
func TestLspDocShowsRealOutput(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "lsp.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	if _, err := doctest.Rewrite(string(doc), func(b doctest.Block) (string, error) {
		blocks = append(blocks, b.Body)
		return b.Body, nil
	}); err != nil {
		t.Fatal(err)
	}
	find := func(prefix string) string {
		for _, b := range blocks {
			if strings.HasPrefix(b, prefix) {
				return b
			}
		}
		t.Fatalf("docs/lsp.md has no block starting %q", prefix)
		return ""
	}
	sameJSON := func(what, docBlock string, got any) {
		t.Helper()
		var want, have any
		if err := json.Unmarshal([]byte(docBlock), &want); err != nil {
			t.Fatalf("%s in docs/lsp.md: %v", what, err)
		}
		raw, _ := json.Marshal(got)
		_ = json.Unmarshal(raw, &have)
		if !reflect.DeepEqual(want, have) {
			t.Errorf("%s: docs/lsp.md shows\n%s\nthe server sends\n%s", what, docBlock, raw)
		}
	}

	broken, err := os.ReadFile("testdata/broken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := session(t, Options{})
	m := mustCall(t, c, "initialize", map[string]any{"capabilities": map[string]any{}})
	sameJSON("capabilities", find(`{"textDocumentSync"`), decodeAs[struct {
		Capabilities json.RawMessage `json:"capabilities"`
	}](t, m.Result).Capabilities)

	if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": docURI, "languageId": "yaml", "version": 1, "text": string(broken)}}); err != nil {
		t.Fatal(err)
	}
	pub, err := c.WaitNotification("textDocument/publishDiagnostics")
	if err != nil {
		t.Fatal(err)
	}
	diags := decodeAs[struct{ Diagnostics []json.RawMessage }](t, pub.Params).Diagnostics
	var unknown json.RawMessage
	for _, d := range diags {
		if strings.Contains(string(d), `"unknown-field"`) {
			unknown = d
		}
	}
	sameJSON("diagnostic", find(`{"range"`), unknown)

	m = mustCall(t, c, "textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": docURI}, "range": rng(23, 10, 23, 10), "context": map[string]any{"diagnostics": []any{}, "only": []string{"quickfix"}}})
	actions := decodeAs[[]protocol.CodeAction](t, m.Result)
	if len(actions) != 1 || actions[0].Edit == nil {
		t.Fatalf("actions: %s", m.Result)
	}
	edit := strings.ReplaceAll(find(`{"changes"`), "file:///…/vm.yaml", docURI)
	sameJSON("quickfix edit", edit, actions[0].Edit)

	m = mustCall(t, c, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": protocol.Position{Line: 25, Character: 8}})
	hover := decodeAs[struct{ Contents protocol.MarkupContent }](t, m.Result).Contents.Value
	shown, _, _ := strings.Cut(find("**livenessProbe**"), "…")
	if !strings.HasPrefix(hover, shown) {
		t.Errorf("hover: docs/lsp.md shows\n%s\nthe server sends\n%s", shown, hover)
	}
}
