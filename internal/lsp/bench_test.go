package lsp

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// manifest1000 is a 1,000-line file of VirtualMachines with probes and
// watchdogs, each with the two findings of testdata/broken.yaml.
func manifest1000(b *testing.B) string {
	b.Helper()
	one, err := os.ReadFile("testdata/broken.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	for i := 0; strings.Count(sb.String(), "\n") < 1000; i++ {
		if i > 0 {
			sb.WriteString("---\n")
		}
		sb.WriteString(strings.Replace(string(one), "name: web", fmt.Sprintf("name: web-%d", i), 1))
	}
	lines := strings.SplitAfter(sb.String(), "\n")
	return strings.Join(lines[:1000], "")
}

// BenchmarkLspDidChange measures what a user waits for: from a didChange
// of a 1,000-line manifest, over the protocol's framing, to its
// publishDiagnostics. The target is 50 ms (docs/performance.md).
func BenchmarkLspDidChange(b *testing.B) {
	text := manifest1000(b)
	if n := strings.Count(text, "\n"); n != 1000 {
		b.Fatalf("%d lines", n)
	}
	c, _ := session(b, Options{})
	if m, err := c.Call("initialize", map[string]any{"capabilities": map[string]any{}}, nil); err != nil || m.Error != nil {
		b.Fatalf("initialize: %+v %v", m, err)
	}
	if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": docURI, "languageId": "yaml", "version": 1, "text": text}}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.WaitNotification("textDocument/publishDiagnostics"); err != nil {
		b.Fatal(err)
	}
	// Alternate between two texts, as typing does: one more character in
	// a key, then one fewer.
	texts := []string{strings.Replace(text, "periodSecond: 5", "periodSeconds: 5", 1), text}
	findings := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": docURI, "version": i + 2},
			"contentChanges": []any{map[string]any{"text": texts[i%2]}}}); err != nil {
			b.Fatal(err)
		}
		m, err := c.WaitNotification("textDocument/publishDiagnostics")
		if err != nil {
			b.Fatal(err)
		}
		findings = strings.Count(string(m.Params), `"code":`)
	}
	b.StopTimer()
	if findings < 60 {
		b.Fatalf("only %d diagnostics for %d objects", findings, strings.Count(text, "kind: VirtualMachine"))
	}
}
