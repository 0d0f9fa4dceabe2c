package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// initCost is where process start goes before main runs: the Go runtime's
// own trace of package initialisation (GODEBUG=inittrace=1), summed by
// module, median over several runs of `vmhealth version`.
type initCost struct {
	total  time.Duration
	groups []initGroup
	runs   int
}

type initGroup struct {
	module   string
	packages int
	clock    time.Duration
}

// initRuns is how many traced starts the figures are the median of.
const initRuns = 15

// measureInit runs `bin version` with the init trace on and sums it.
func measureInit(bin string) (initCost, error) {
	byModule := map[string][]time.Duration{}
	packages := map[string]int{}
	var totals []time.Duration
	for range initRuns {
		cmd := exec.Command(bin, "version")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return initCost{}, fmt.Errorf("%s version: %v: %s", bin, err, stderr.String())
		}
		lines, err := parseInitTrace(stderr.Bytes())
		if err != nil {
			return initCost{}, err
		}
		sums := map[string]time.Duration{}
		counts := map[string]int{}
		var total time.Duration
		for _, l := range lines {
			m := moduleOf(l.pkg)
			sums[m] += l.clock
			counts[m]++
			total += l.clock
		}
		for m, d := range sums {
			byModule[m] = append(byModule[m], d)
			packages[m] = counts[m]
		}
		totals = append(totals, total)
	}
	c := initCost{total: median(totals), runs: initRuns}
	for _, m := range slices.Sorted(maps.Keys(byModule)) {
		ds := byModule[m]
		for len(ds) < initRuns {
			ds = append(ds, 0) // a module that did not show in a run
		}
		c.groups = append(c.groups, initGroup{module: m, packages: packages[m], clock: median(ds)})
	}
	slices.SortStableFunc(c.groups, func(a, b initGroup) int { return cmp.Compare(b.clock, a.clock) })
	return c, nil
}

// initLine is one line of the trace:
//
//	init k8s.io/client-go/kubernetes/scheme @54 ms, 4.7 ms clock, 669384 bytes, 5586 allocs
type initLine struct {
	pkg   string
	clock time.Duration
}

// parseInitTrace reads the trace's init lines and ignores everything else
// (the program's own output on stderr).
func parseInitTrace(data []byte) ([]initLine, error) {
	var out []initLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[0] != "init" || !strings.HasPrefix(f[2], "@") {
			continue
		}
		if len(f) < 7 || f[5] != "ms" || f[6] != "clock," {
			return nil, fmt.Errorf("init trace line %d: want \"<ms> ms clock,\", got %q", n, sc.Text())
		}
		ms, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			return nil, fmt.Errorf("init trace line %d: %v", n, err)
		}
		out = append(out, initLine{pkg: f[1], clock: time.Duration(ms * float64(time.Millisecond))})
	}
	return out, sc.Err()
}

// moduleOf names the module a package most likely belongs to, from its
// path alone: the first three elements on github.com and helm.sh, two on
// other hosts, and "Go runtime and standard library" for paths without a
// dot in their first element.
func moduleOf(pkg string) string {
	parts := strings.Split(pkg, "/")
	if !strings.Contains(parts[0], ".") {
		return "Go runtime and standard library"
	}
	n := 2
	switch parts[0] {
	case "github.com", "helm.sh", "go.yaml.in", "gopkg.in":
		n = 3
	}
	if n > len(parts) {
		n = len(parts)
	}
	return strings.Join(parts[:n], "/")
}

// initTable is the report's part on package initialisation.
func initTable(c initCost) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nWhere start-up goes: package initialisation, as the Go runtime traces it (`GODEBUG=inittrace=1\n")
	fmt.Fprintf(&b, "vmhealth version`, median of %d runs), summed by module: **%v** in all, the ten largest below.\n\n",
		c.runs, c.total.Round(100*time.Microsecond))
	b.WriteString("| module | packages | init clock |\n|---|---|---|\n")
	for i, g := range c.groups {
		if i == 10 {
			break
		}
		fmt.Fprintf(&b, "| %s | %d | %v |\n", g.module, g.packages, g.clock.Round(10*time.Microsecond))
	}
	return b.String()
}
