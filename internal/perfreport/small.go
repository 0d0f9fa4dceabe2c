package main

import (
	"fmt"
	"strings"
	"time"
)

// smallResult is the cost of one small file: what a user waits for in an
// editor's save hook or a pre-commit run, mostly process start.
type smallResult struct {
	file          string
	lint, version time.Duration
	runs          int
	init          initCost
}

// smallRuns is how many times the small-file figures are taken: they are
// a few milliseconds each, so more runs than the big inputs get.
const smallRuns = 25

// measureSmall times `vmhealth lint FILE` and `vmhealth version` (start
// alone) alternately and reports the medians.
func measureSmall(bin, file string) (smallResult, error) {
	var lw, vw []time.Duration
	for range smallRuns {
		m, err := lint(bin, file)
		if err != nil {
			return smallResult{}, err
		}
		v, err := command(bin, "version")
		if err != nil {
			return smallResult{}, err
		}
		lw, vw = append(lw, m.wall), append(vw, v.wall)
	}
	ic, err := measureInit(bin)
	if err != nil {
		return smallResult{}, err
	}
	return smallResult{file: file, lint: median(lw), version: median(vw), runs: smallRuns, init: ic}, nil
}

// smallTable is the report's section on one small file.
func smallTable(s smallResult) string {
	var b strings.Builder
	b.WriteString("\n## One small file\n\n")
	fmt.Fprintf(&b, "`vmhealth lint --quiet --no-color %s` (one VM, 3.4 kB) and `vmhealth version`, alternately,\n", s.file)
	fmt.Fprintf(&b, "median of %d runs each, with the binary built as `make release` builds it (static and stripped:\n", s.runs)
	b.WriteString("`CGO_ENABLED=0`, `-trimpath -ldflags '-s -w'`; test/dist's TestRelease checks that the release binary has\n")
	b.WriteString("no symbol table or DWARF). `version` is process start alone: the runtime, package\n")
	b.WriteString("initialisation (the Kubernetes client, CEL, Helm and kustomize libraries) and nothing else.\n\n")
	b.WriteString("| target | figure | met |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| one small file: lint ≤ 35 ms wall | %v (start alone: %v) | %s |\n",
		s.lint.Round(100*time.Microsecond), s.version.Round(100*time.Microsecond), yes(s.lint <= 35*time.Millisecond))
	b.WriteString(initTable(s.init))
	return b.String()
}
