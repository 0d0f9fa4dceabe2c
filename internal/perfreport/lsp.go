package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// lspTarget is issue 16's target for the language server.
const lspTarget = 50 * time.Millisecond

// lspSection reports BenchmarkLspDidChange (internal/lsp) against its
// target; empty when the benchmark was not run.
func lspSection(bench string) string {
	var lines []string
	var perOp time.Duration
	for _, line := range strings.Split(bench, "\n") {
		if !strings.HasPrefix(line, "BenchmarkLspDidChange") {
			continue
		}
		lines = append(lines, strings.TrimSpace(line))
		f := strings.Fields(line)
		for i := 1; i < len(f); i++ {
			if f[i] == "ns/op" {
				if ns, err := strconv.ParseFloat(f[i-1], 64); err == nil && perOp == 0 {
					perOp = time.Duration(ns)
				}
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## Language server\n\n")
	b.WriteString("`go test -run '^$' -bench LspDidChange -benchmem ./internal/lsp/` times what a user of\n")
	b.WriteString("`vmhealth lsp` waits for: from a `textDocument/didChange` of a 1,000-line manifest\n")
	b.WriteString("(VirtualMachines of 30 lines with probes, a watchdog and two findings each) to its\n")
	b.WriteString("`publishDiagnostics`, through the protocol's framing and JSON both ways (docs/lsp.md).\n\n")
	b.WriteString("| target | figure | met |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| diagnostics of a 1,000-line manifest ≤ %v after a change | %v | %s |\n\n", lspTarget, perOp.Round(100*time.Microsecond), yes(perOp > 0 && perOp <= lspTarget))
	b.WriteString("```\n" + strings.Join(lines, "\n") + "\n```\n")
	return b.String()
}
