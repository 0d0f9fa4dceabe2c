package apply

import (
	"fmt"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// Diff writes the health checks before and after the change as a unified
// diff of YAML, nested as in the object (spec.template.spec… for a VM), with
// every line shown: health checks are short, and the context is what tells
// a readiness probe from a liveness one. It returns "" when nothing changes
// or the object could not be read.
func (r Result) Diff() string {
	if r.Before == nil || r.After == nil || jsonEqual(r.Before, r.After) {
		return ""
	}
	before, err1 := nestedYAML(r.SpecPath, r.Before)
	after, err2 := nestedYAML(r.SpecPath, r.After)
	if err1 != nil || err2 != nil {
		return ""
	}
	label := "after apply"
	switch r.DryRun {
	case DryRunClient:
		label = "after apply, client dry run"
	case DryRunServer:
		label = "after apply, server dry run"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s (live)\n+++ %s (%s)\n", r.Target, r.Target, label)
	for _, l := range diffLines(before, after) {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

func nestedYAML(path []string, frag map[string]any) ([]string, error) {
	root := map[string]any{}
	if len(path) > 0 {
		yamlpos.SetValue(root, path, frag)
	} else {
		root = frag
	}
	y, err := sigsyaml.Marshal(root)
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(y), "\n"), "\n"), nil
}

// diffLines marks each line of a and b as kept (" "), removed ("-") or
// added ("+"), following a longest common subsequence.
func diffLines(a, b []string) []string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, " "+a[i])
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, "-"+a[i])
			i++
		default:
			out = append(out, "+"+b[j])
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, "-"+a[i])
	}
	for ; j < m; j++ {
		out = append(out, "+"+b[j])
	}
	return out
}
