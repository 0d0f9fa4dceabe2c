package main

import (
	"strings"
	"testing"
)

func TestLspSection(t *testing.T) {
	for _, tc := range []struct {
		bench, figure, met string
	}{
		{"BenchmarkLspDidChange-2   	      52	  21958120 ns/op	 2132771 B/op	   20923 allocs/op\n", "| 22ms |", "| yes |"},
		{"BenchmarkLspDidChange-2   	      10	  61000000 ns/op\n", "| 61ms |", "| **no** |"},
	} {
		got := lspSection("goos: linux\n" + tc.bench + "PASS\n")
		if !strings.Contains(got, tc.figure+" "+strings.TrimPrefix(tc.met, "| ")) || !strings.Contains(got, "## Language server") {
			t.Errorf("section of %q:\n%s", tc.bench, got)
		}
	}
	if got := lspSection("PASS\n"); got != "" {
		t.Errorf("no benchmark, yet a section: %q", got)
	}
}
