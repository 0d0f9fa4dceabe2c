package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

// frame frames messages as a client would.
func frame(msgs ...any) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		raw, _ := json.Marshal(m)
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(raw), raw)
	}
	return b.Bytes()
}

func fuzzServer(t *testing.T, log io.Writer) *Server {
	l := validate.MustNew(validate.Options{Workers: 1})
	srv, err := New(Options{Log: log, Linter: func(string) (*validate.Linter, bool, error) { return l, false, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// FuzzServeStream feeds arbitrary bytes after initialize: the server must
// return (never hang, never panic) whatever the framing.
func FuzzServeStream(f *testing.F) {
	f.Add([]byte("Content-Length: 5\r\n\r\n{}{}}"))
	f.Add([]byte("Content-Length: 99999999999\r\n\r\n"))
	f.Add([]byte("Content-Length: -1\r\n\r\n"))
	f.Add(frame(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": []int{1}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := append(frame(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{}}), data...)
		var log bytes.Buffer
		_ = fuzzServer(t, &log).Serve(bytes.NewReader(in), io.Discard)
		if strings.Contains(log.String(), "panic") {
			t.Fatalf("%s", log.String())
		}
	})
}

// FuzzDocument opens arbitrary text and asks for hovers, completions and
// code actions at positions inside and past it: no handler may panic, and
// the session must end cleanly with shutdown and exit.
func FuzzDocument(f *testing.F) {
	broken, err := os.ReadFile("testdata/broken.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(broken), uint32(18), uint32(8))
	f.Add("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nspec: {template: {spec: {readinessProbe: {tcpSocket: {port: \"x\"}}}}}\n", uint32(2), uint32(40))
	f.Add("kubevirt.io/\n- - - :\n\t\U0001F642: [", uint32(2), uint32(3))
	f.Fuzz(func(t *testing.T, text string, line, char uint32) {
		uri := "file:///x/vm.yaml"
		doc := map[string]any{"uri": uri}
		var msgs []any
		msgs = append(msgs,
			map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{}},
			map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
		id := 2
		for _, pos := range []map[string]uint32{{"line": line, "character": char}, {"line": line % 64, "character": char % 80}, {"line": 0, "character": 0}} {
			for _, method := range []string{"textDocument/hover", "textDocument/completion"} {
				msgs = append(msgs, map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": map[string]any{"textDocument": doc, "position": pos}})
				id++
			}
			msgs = append(msgs, map[string]any{"jsonrpc": "2.0", "id": id, "method": "textDocument/codeAction", "params": map[string]any{"textDocument": doc, "range": map[string]any{"start": pos, "end": pos}, "context": map[string]any{}}})
			id++
		}
		msgs = append(msgs,
			map[string]any{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
				"contentChanges": []any{map[string]any{"range": map[string]any{"start": map[string]uint32{"line": line % 64, "character": char % 80}, "end": map[string]uint32{"line": line, "character": char}}, "text": "x"}}}},
			map[string]any{"jsonrpc": "2.0", "id": id, "method": "shutdown"},
			map[string]any{"jsonrpc": "2.0", "method": "exit"})
		var log bytes.Buffer
		if err := fuzzServer(t, &log).Serve(bytes.NewReader(frame(msgs...)), io.Discard); err != nil {
			t.Fatalf("session did not end cleanly: %v\n%s", err, log.String())
		}
		if log.Len() > 0 {
			t.Fatalf("%s", log.String())
		}
	})
}
