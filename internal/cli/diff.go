package cli

import (
	"fmt"
	"strings"
)

// unifiedDiff renders the line changes from a to b as a unified diff with
// three lines of context, or "" when they are equal. Fixes change few
// lines, so the quadratic longest-common-subsequence table is built only
// over the lines between the first and the last change.
func unifiedDiff(name string, a, b []byte) string {
	if string(a) == string(b) {
		return ""
	}
	x := strings.SplitAfter(string(a), "\n")
	y := strings.SplitAfter(string(b), "\n")
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	// ops: ' ' keep, '-' delete, '+' insert, over the whole files.
	type op struct {
		kind byte
		line string
	}
	var ops []op
	for _, l := range x[:pre] {
		ops = append(ops, op{' ', l})
	}
	if len(mx)*len(my) > 4_000_000 {
		for _, l := range mx {
			ops = append(ops, op{'-', l})
		}
		for _, l := range my {
			ops = append(ops, op{'+', l})
		}
	} else {
		// lcs[i][j] is the LCS length of mx[i:] and my[j:].
		lcs := make([][]int, len(mx)+1)
		for i := range lcs {
			lcs[i] = make([]int, len(my)+1)
		}
		for i := len(mx) - 1; i >= 0; i-- {
			for j := len(my) - 1; j >= 0; j-- {
				if mx[i] == my[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(mx) || j < len(my) {
			switch {
			case i < len(mx) && j < len(my) && mx[i] == my[j]:
				ops = append(ops, op{' ', mx[i]})
				i, j = i+1, j+1
			case i < len(mx) && (j == len(my) || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, op{'-', mx[i]})
				i++
			default:
				ops = append(ops, op{'+', my[j]})
				j++
			}
		}
	}
	for _, l := range x[len(x)-suf:] {
		ops = append(ops, op{' ', l})
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s (fixed)\n", name, name)
	const ctx = 3
	for start := 0; start < len(ops); {
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			break
		}
		from := max(0, start-ctx)
		end := start
		for last := start; end < len(ops); end++ {
			if ops[end].kind != ' ' {
				last = end
			} else if end-last > 2*ctx {
				break
			}
		}
		// Trim trailing context to ctx lines.
		to := end
		for to > from && ops[to-1].kind == ' ' {
			to--
		}
		to = min(len(ops), to+ctx)
		ax, ay := 1, 1
		for _, o := range ops[:from] {
			if o.kind != '+' {
				ax++
			}
			if o.kind != '-' {
				ay++
			}
		}
		nx, ny := 0, 0
		for _, o := range ops[from:to] {
			if o.kind != '+' {
				nx++
			}
			if o.kind != '-' {
				ny++
			}
		}
		fmt.Fprintf(&sb, "@@ -%d,%d +%d,%d @@\n", ax, nx, ay, ny)
		for _, o := range ops[from:to] {
			line := o.line
			if line == "" {
				continue
			}
			sb.WriteByte(o.kind)
			sb.WriteString(line)
			if !strings.HasSuffix(line, "\n") {
				sb.WriteString("\n\\ No newline at end of file\n")
			}
		}
		start = to
	}
	return sb.String()
}
