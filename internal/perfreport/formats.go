package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vmhealth/vmhealth/internal/benchcorpus"
	"github.com/vmhealth/vmhealth/render"
)

// formatResult is one corpus linted in one output format (or by
// kubeconform), with the floor of the same file timed alternately.
type formatResult struct {
	corpus, format string
	wall, cpu      time.Duration
	floor          time.Duration
	maxRSS         int64
}

// formatMatrix lints the clean and the messy corpus, one file each, in
// every output format, as a CI gate would write them (not --quiet), and
// runs kubeconform on them when it is installed.
func formatMatrix(work, bin string, runs, vms int) ([]formatResult, error) {
	clean, messy := benchcorpus.Default, benchcorpus.Messy
	clean.VMs, messy.VMs = vms, vms
	var out []formatResult
	for _, c := range []struct {
		name string
		c    benchcorpus.Corpus
	}{{"clean (1 in 10 faulty)", clean}, {"messy", messy}} {
		path := filepath.Join(work, strings.Fields(c.name)[0]+".yaml")
		fh, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		if err := c.c.WriteStream(fh); err != nil {
			fh.Close()
			return nil, err
		}
		if err := fh.Close(); err != nil {
			return nil, err
		}
		type tool struct {
			format string
			bin    string
			args   []string
		}
		var tools []tool
		for _, f := range render.Formats() {
			tools = append(tools, tool{f, bin, []string{"lint", "--no-color", "-o", f, path}})
		}
		if kc, err := exec.LookPath("kubeconform"); err == nil {
			tools = append(tools, tool{"kubeconform -strict", kc, []string{"-strict", "-ignore-missing-schemas", "-summary", path}})
		}
		for _, t := range tools {
			var walls, cpus, floors []time.Duration
			var rss int64
			for range runs {
				fl, err := floorInChild(path)
				if err != nil {
					return nil, err
				}
				m, err := command(t.bin, t.args...)
				if err != nil {
					return nil, fmt.Errorf("%s on %s: %w", t.format, c.name, err)
				}
				floors, walls, cpus = append(floors, fl), append(walls, m.wall), append(cpus, m.cpu)
				rss = max(rss, m.maxRSS)
			}
			r := formatResult{corpus: c.name, format: t.format, wall: median(walls), cpu: median(cpus), floor: median(floors), maxRSS: rss}
			out = append(out, r)
			fmt.Fprintf(os.Stderr, "%s -o %s: wall %v cpu %v floor %v (%.2f×) peak RSS %.1f MB\n", r.corpus, r.format,
				r.wall.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.floor.Round(time.Millisecond),
				float64(r.wall)/float64(r.floor), float64(r.maxRSS)/1e6)
		}
	}
	return out, nil
}

// formatTable is the report's section on the output formats.
func formatTable(rs []formatResult, vms int) string {
	if len(rs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Both corpora in every output format\n\n")
	fmt.Fprintf(&b, "One file of %d VMs each: the clean corpus above, and the messy one (`benchcorpus.Messy`: every\n", vms)
	b.WriteString("VM with two or three mistakes, a Service every hundred VMs that selects some of them after\n")
	b.WriteString("them; about 23,000 findings at full size). `vmhealth lint --no-color -o FORMAT FILE`, output\n")
	b.WriteString("to a pipe that discards it; the floor is timed alternately with each. CPU is user + system.\n")
	b.WriteString("kubeconform appears only where it is installed (it is not a dependency; install a release\n")
	b.WriteString("binary from its GitHub releases page, or `go install` its `cmd/kubeconform` package).\n\n")
	b.WriteString("| corpus | format | wall | CPU | floor wall | wall / floor | peak RSS |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %s | %v | %v | %v | **%.2f×** | %.1f MB |\n", r.corpus, r.format,
			r.wall.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.floor.Round(time.Millisecond),
			float64(r.wall)/float64(r.floor), float64(r.maxRSS)/1e6)
	}
	b.WriteString("\n| target | figure | met |\n|---|---|---|\n")
	var worstMessy, worstClean float64
	var rssMessy int64
	for _, r := range rs {
		if strings.HasPrefix(r.format, "kubeconform") {
			continue
		}
		ratio := float64(r.wall) / float64(r.floor)
		if strings.HasPrefix(r.corpus, "messy") {
			worstMessy, rssMessy = max(worstMessy, ratio), max(rssMessy, r.maxRSS)
		} else {
			worstClean = max(worstClean, ratio)
		}
	}
	fmt.Fprintf(&b, "| messy, every format: ≤ 1.0× the floor | worst %.2f× | %s |\n", worstMessy, yes(worstMessy <= 1.0))
	fmt.Fprintf(&b, "| messy, every format: peak RSS ≤ 64 MB | worst %.1f MB | %s |\n", float64(rssMessy)/1e6, yes(rssMessy <= 64<<20))
	fmt.Fprintf(&b, "| clean, every format: ≤ 0.8× the floor (idle machine) | worst %.2f× | %s |\n", worstClean, yes(worstClean <= 0.8))
	return b.String()
}

// loadNote says how busy the machine was: the load averages before and
// after the measurements.
func loadNote(before, after string) string {
	return fmt.Sprintf("Load average (1, 5, 15 min) when the measurements began: %s; when they ended: %s.\n", before, after)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], ", ")
}
