// Command perfreport measures vmhealth against the go-yaml node-decode floor
// on the deterministic benchmark corpus and writes docs/performance.md. It
// is what `make bench` runs after the Go benchmarks.
//
// Every ratio it reports compares figures measured alternately in the same
// run, because the machines are shared and absolute times are noisy.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/benchcorpus"
)

func main() {
	out := flag.String("o", "docs/performance.md", "where to write the report")
	benchFile := flag.String("bench", "", "output of `go test -bench` to include")
	clusterFile := flag.String("cluster", "", "output of the cluster benchmarks (test/e2e) to include")
	lspFile := flag.String("lsp", "", "output of the language server benchmark (internal/lsp) to include")
	runs := flag.Int("runs", 5, "timed runs per measurement (the median is reported)")
	vms := flag.Int("vms", benchcorpus.Default.VMs, "VMs in the base corpus")
	floorOf := flag.String("floor", "", "internal: time the node-decode floor of this file and print it")
	flag.Parse()
	if *floorOf != "" {
		d, err := floor(*floorOf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "perfreport:", err)
			os.Exit(1)
		}
		fmt.Println(d.Nanoseconds())
		return
	}
	if err := run(*out, *benchFile, *clusterFile, *lspFile, *runs, *vms); err != nil {
		fmt.Fprintln(os.Stderr, "perfreport:", err)
		os.Exit(1)
	}
}

type measurement struct {
	wall   time.Duration
	cpu    time.Duration // user + system
	maxRSS int64         // bytes
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// floor decodes every document of the file into go-yaml v3 nodes on one
// goroutine.
func floor(path string) (time.Duration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err == io.EOF {
			break
		} else if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// floorInChild times the floor in a child process. This process must stay
// small: Go starts children with CLONE_VM|CLONE_VFORK, so a child's peak RSS
// (from wait4) starts from this process's high-water mark, and decoding the
// 10x file here would be charged to every vmhealth run after it.
func floorInChild(path string) (time.Duration, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	out, err := exec.Command(self, "-floor", path).Output()
	if err != nil {
		return 0, fmt.Errorf("floor of %s: %w", path, err)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	return time.Duration(ns), err
}

// lint runs the real binary the way a CI gate would and measures its wall
// time and peak resident memory. Exit status 1 (findings) is expected: the
// corpus has deliberate mistakes.
func lint(bin string, args ...string) (measurement, error) {
	return command(bin, append([]string{"lint", "--quiet", "--no-color"}, args...)...)
}

// command runs bin with args and measures it; exit status 1 (findings) is
// success.
func command(bin string, args ...string) (measurement, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		return measurement{}, fmt.Errorf("%v: %s", err, stderr.String())
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return measurement{wall: wall, cpu: cpu, maxRSS: ru.Maxrss * 1024}, nil
}

type result struct {
	name       string
	command    string
	lintWall   time.Duration
	floorWall  time.Duration
	maxRSS     int64
	inputBytes int64
	// pairWall is the single file's lint, timed alternately with this
	// input's (the tree's), 0 when not taken.
	pairWall time.Duration
}

func run(out, benchFile, clusterFile, lspFile string, runs, vms int) error {
	work, err := os.MkdirTemp("", "vmhealth-perf-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	bin := filepath.Join(work, "vmhealth")
	// Built as `make release` builds it: what users run. Static matters:
	// with cgo, kustomize's use of Go's plugin package makes the linker
	// export every symbol, and the dynamic loader's tables of them add
	// about 25 MB to the resident set of every run.
	build := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w", "-o", bin, "./cmd/vmhealth")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building vmhealth: %w", err)
	}

	base := benchcorpus.Default
	base.VMs = vms
	big := base
	big.VMs = vms * 10
	single := filepath.Join(work, "vms.yaml")
	large := filepath.Join(work, "vms-10x.yaml")
	tree := filepath.Join(work, "tree")
	for _, f := range []struct {
		c    benchcorpus.Corpus
		path string
	}{{base, single}, {big, large}} {
		fh, err := os.Create(f.path)
		if err != nil {
			return err
		}
		if err := f.c.WriteStream(fh); err != nil {
			return err
		}
		if err := fh.Close(); err != nil {
			return err
		}
	}
	if err := base.WriteTree(tree); err != nil {
		return err
	}

	loadBefore := loadAverage()
	size := func(p string) int64 { st, _ := os.Stat(p); return st.Size() }
	var results []result
	for _, c := range []struct {
		name, display string
		path          string
		args          []string
		floorFrom     string
		// pair, when set, is linted in every run too, so that the target
		// comparing the two is taken alternately, as every ratio here is.
		pair []string
	}{
		{"one file, " + fmt.Sprint(base.VMs) + " VMs", "vmhealth lint vms.yaml", single, []string{single}, single, nil},
		{fmt.Sprint(base.VMs) + " files in " + fmt.Sprint((base.VMs+99)/100) + " directories", "vmhealth lint tree/", tree, []string{tree}, single, []string{single}},
		{"one file, " + fmt.Sprint(big.VMs) + " VMs (10x)", "vmhealth lint vms-10x.yaml", large, []string{large}, large, nil},
	} {
		var lw, fw, pw []time.Duration
		var rss int64
		for range runs {
			f, err := floorInChild(c.floorFrom)
			if err != nil {
				return err
			}
			m, err := lint(bin, c.args...)
			if err != nil {
				return err
			}
			fw, lw = append(fw, f), append(lw, m.wall)
			rss = max(rss, m.maxRSS)
			if c.pair != nil {
				p, err := lint(bin, c.pair...)
				if err != nil {
					return err
				}
				pw = append(pw, p.wall)
			}
		}
		r := result{name: c.name, command: c.display, lintWall: median(lw), floorWall: median(fw), maxRSS: rss, inputBytes: size(c.floorFrom)}
		if pw != nil {
			r.pairWall = median(pw)
		}
		results = append(results, r)
		fmt.Fprintf(os.Stderr, "%s: lint %v, floor %v, peak RSS %.1f MB\n", c.name, median(lw), median(fw), float64(rss)/1e6)
	}
	matrix, err := formatMatrix(work, bin, runs, vms)
	if err != nil {
		return err
	}
	small, err := measureSmall(bin, filepath.Join("examples", "good", "web-vm.yaml"))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "one small file: lint %v, version %v, package init %v\n", small.lint, small.version, small.init.total)
	loadAfter := loadAverage()
	bench, err := readOptional(benchFile)
	if err != nil {
		return err
	}
	cluster, err := readOptional(clusterFile)
	if err != nil {
		return err
	}
	lspBench, err := readOptional(lspFile)
	if err != nil {
		return err
	}
	text := report(results, matrix, small, loadNote(loadBefore, loadAfter), bench, cluster, runs, vms) + lspSection(lspBench)
	return os.WriteFile(out, []byte(keepHandWritten(out, text)), 0o644)
}

// handWrittenMarker starts the part of the report that people write (the
// startup measurement); regenerating the report keeps it.
const handWrittenMarker = "<!-- Written by hand below this line; make bench keeps it. -->"

// keepHandWritten appends to text the hand-written part of the report
// now in the file out, if it has one.
func keepHandWritten(out, text string) string {
	old, err := os.ReadFile(out)
	if err != nil {
		return text
	}
	_, tail, ok := strings.Cut(string(old), handWrittenMarker)
	if !ok {
		return text
	}
	return strings.TrimRight(text, "\n") + "\n\n" + handWrittenMarker + tail
}

func readOptional(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	return string(b), err
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "model name") {
			_, v, _ := strings.Cut(line, ":")
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func report(rs []result, matrix []formatResult, small smallResult, load, bench, cluster string, runs, vms int) string {
	var b strings.Builder
	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
	fmt.Fprintf(&b, "# Performance\n\n<!-- Written by `make bench` (go run ./internal/perfreport). Do not edit by hand. -->\n\n")
	fmt.Fprintf(&b, "Measured on %s: %d CPUs (%s), %s/%s, %s. Machines here are shared and noisy, so every ratio\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(&b, "below compares two figures taken alternately in the same run (median of %d runs each).\n\n", runs)
	b.WriteString("The corpus is written by `internal/benchcorpus` (seed 1): realistic VirtualMachines with\n")
	b.WriteString("container disks, masquerade interfaces with ports, cloud-init user data, a mix of httpGet,\n")
	b.WriteString("tcpSocket, exec and guestAgentPing probes and i6300esb watchdogs, one VM in ten with a\n")
	b.WriteString("deliberate mistake. The floor is decoding the same bytes into go-yaml v3 nodes (which\n")
	b.WriteString("keep line numbers) on one goroutine; `vmhealth lint` is the real binary, run as a CI\n")
	b.WriteString("gate would (`--quiet --no-color`), including process start and output. Its 10,000 VMs\n")
	b.WriteString("make 18 MB, a little more than the 16 MB of the reference figure.\n\n")
	b.WriteString("To reproduce: `make bench` (Go benchmarks, then this report).\n\n")
	b.WriteString(load + "\n")
	b.WriteString("| input | command | size | lint wall | floor wall | lint / floor | peak RSS |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %v | %v | **%.2f×** | %s |\n", r.name, r.command, mb(r.inputBytes),
			r.lintWall.Round(time.Millisecond), r.floorWall.Round(time.Millisecond), float64(r.lintWall)/float64(r.floorWall), mb(r.maxRSS))
	}
	if len(rs) == 3 {
		b.WriteString("\n## Targets\n\n| target | figure | met |\n|---|---|---|\n")
		ratio := float64(rs[0].lintWall) / float64(rs[0].floorWall)
		fmt.Fprintf(&b, "| one file: lint ≤ 1.0× the node-decode floor | %.2f× | %s |\n", ratio, yes(ratio <= 1.0))
		file := rs[0].lintWall
		if rs[1].pairWall > 0 {
			file = rs[1].pairWall
		}
		tree := float64(rs[1].lintWall) / float64(file)
		fmt.Fprintf(&b, "| directory tree within 1.2× of the single file | %.2f× (tree %v / file %v) | %s |\n", tree,
			rs[1].lintWall.Round(time.Millisecond), file.Round(time.Millisecond), yes(tree <= 1.2))
		fmt.Fprintf(&b, "| peak RSS ≤ 64 MB on the 16 MB file | %s | %s |\n", mb(rs[0].maxRSS), yes(rs[0].maxRSS <= 64<<20))
		grow := float64(rs[2].maxRSS) / float64(rs[0].maxRSS)
		fmt.Fprintf(&b, "| peak RSS on the 10× file ≤ 1.5× that | %s (%.2f×) | %s |\n", mb(rs[2].maxRSS), grow, yes(grow <= 1.5))
		b.WriteString("\nThe tree figure is compared with the single file linted alternately with it (tree, floor, file in every\nrun, the median of each), as the target says.\n")
	}
	b.WriteString(formatTable(matrix, vms))
	b.WriteString(smallTable(small))
	b.WriteString(profileNotes)
	if cluster != "" {
		b.WriteString("\n## Against an API server\n\n")
		b.WriteString("`go test -run '^$' -bench . -benchtime 1x ./test/e2e/` runs the real binary against the test\n")
		b.WriteString("kube-apiserver and etcd (internal/testenv) on the same machine: `lint --cluster` over 5,000\n")
		b.WriteString("VMs (one in ten broken) and `apply -l` to 1,000 VMs, each time a new probe so every VM is\n")
		b.WriteString("written. `requests/op` is the API server's own count (`apiserver_request_total`).\n\n")
		b.WriteString("Throttling: vmhealth sets no client-side rate limit. The load is bounded by eight workers\n")
		b.WriteString("with one request in flight each, and by the API server's priority and fairness (429 with\n")
		b.WriteString("Retry-After, which client-go honours). With client-go's QPS 50 / burst 100 the same apply\n")
		b.WriteString("took 38 s at 53 requests a second, held by the client; without it, it is limited by the\n")
		b.WriteString("server (and by the two cores it shares with vmhealth here). Lists are read 250 objects a page.\n\n```\n")
		for _, line := range strings.Split(cluster, "\n") {
			if strings.HasPrefix(line, "Benchmark") {
				b.WriteString(line + "\n")
			}
		}
		b.WriteString("```\n")
	}
	if bench != "" {
		b.WriteString("\n## Go benchmarks\n\n`go test -run '^$' -bench . -benchmem ./validate/` (BenchmarkLintVsFloor reports the\nratio of the two, measured in the same iterations):\n\n```\n")
		b.WriteString(strings.TrimSpace(bench))
		b.WriteString("\n```\n")
	}
	return b.String()
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// profileNotes says what profiling showed and what was done about it; it is
// prose, kept here so that the report stays in one piece.
const profileNotes = `
## What the profile showed

CPU profiles (pprof) of the binary on the single file, before optimising:

- Parsing YAML into nodes, the floor itself, is about half of all CPU time; vmhealth
  parses each document once, on the workers, and decodes types from the same nodes.
- The typed decode was a fifth: for every value it asked reflect whether the type decodes
  itself and looked up its struct fields. Each type's decoding plan is now worked out once
  (BenchmarkDecodeAndRules: about 290 ms to 210 ms).
- Garbage collection: the live heap is only a few MB, so GOGC=100 collected hundreds of
  times. The binary runs with GOGC=400 and a soft memory limit (internal/cli/gc.go;
  see "Garbage collection" below for how the limit was chosen).
- Memory: findings and per-object facts used to be held to the end of each file; they
  now stream out document by document, so peak RSS is the same for the 10x file. The
  readiness-probe-missing rule, which looks for Services anywhere in the file, used to
  hold every finding after the first candidate VM; now it keeps only the candidates'
  facts, and a finding for a VM whose Service comes later is written with the
  Service's document.
- Output: JSON and SARIF are written finding by finding (SARIF lists the rules after
  the results); JUnit writes each finished file's testcases to a temporary spool and
  keeps only counts, because the totals open the document.
- The directory tree: one reader opened ten thousand files while the workers waited;
  workers now read whole files found in directories themselves, and buffers are reused.
- Profiles of 2026-12-02 on an idle machine found two costs that grew with the
  redesign: every object asked whether a kustomization lists its file as a patch,
  and each asking made a dozen paths absolute, each reading the working directory
  from the kernel (14% of CPU); and four rules parsed each VM's cloud-init user
  data again (18%). The answer is now kept per file, the working directory read
  once, and the user data parsed once per object: BenchmarkLintStream
  (` + "`go test -run '^$' -bench 'LintStream$' -benchmem ./validate/`" + `) went from 2.90 s to
  2.27 s, and from 1.01 GB to 677 MB allocated.
- JUnit held every testcase of a file until the next file began, so on the messy
  corpus (one file) the live heap passed the soft memory limit and the collector
  ran continuously (14.5 s CPU). A testcase now goes to the spool as soon as
  findings for another object come, its findings beside it, and is read back only
  when a late finding (a Service that selects an earlier VM) joins it: 3.65 s wall
  and 6.5 s CPU instead of 7.97 s and 14.5 s, the output byte for byte the same
  (` + "`/usr/bin/time vmhealth lint --no-color -o junit messy.yaml`" + `, old and new binary in turn).
- SARIF's fingerprints counted occurrences by the whole identity string, one for
  every finding of the run; they now count by a 16-byte hash of it, and the
  fingerprinter and the artifact URI keep the last file's path (it was made
  absolute per finding). Collections on the messy corpus
  (` + "`GODEBUG=gctrace=1 vmhealth lint --no-color -o sarif messy.yaml 2>&1 >/dev/null | grep -c '^gc '`" + `):
  147 to 110.
- Garbage collection, before the parser below: the soft limit was 24 MiB, and on the
  messy corpus the collector ran every few MB; 64 MiB cost a quarter less CPU. With the
  parser below making far less garbage and the binary built statically, the limit was
  measured again (` + "`GOMEMLIMIT=<limit> /usr/bin/time -f '%U %S %M %e' vmhealth lint --no-color -o FORMAT <corpus>.yaml`" + `,
  five alternated runs of 24, 28, 32 and 64 MiB, text, SARIF and JUnit, both corpora):
  peak RSS is the binary's own pages (32 MB) plus about the limit, and 28 MiB keeps
  every format under 64 MB (59 MB at worst, JUnit) for 5–20% more CPU than 64 MiB,
  where the resident set passes 90 MB. The table is in internal/cli/gc.go. GOGC and
  GOMEMLIMIT in the environment still win.
- Where wall time goes when the machine is busy: ` + "`go test -run '^$' -bench LintStream$ -benchtime 1x -trace t.out ./validate/`" + `,
  then ` + "`go tool trace -pprof=sync t.out`" + ` (time blocked on channels) and ` + "`-pprof=sched`" + `
  (time runnable but not running). At load average 6 the two workers waited for
  the reader 1.4 s of an 8.8 s run and the reader for the workers 2.4 s: neither
  stage starves the other, so there is no serial bottleneck to remove; what the
  load takes is CPU, which shows as scheduling delay (12 s summed over goroutines).
- Parsing, 2026-12-02: go-yaml's parser was the floor itself, about half of all CPU.
  internal/fastyaml reads plain block YAML — what Kubernetes manifests and cloud-init
  user data nearly always are — into the same go-yaml nodes, and declines everything
  else (anchors, tags, folded or multi-line scalars, tabs, non-ASCII, and whatever
  go-yaml would reject), which go-yaml then parses as before. Its tests parse every
  YAML file of the repository, both corpora and 40,000 mutations of them both ways and
  require the same trees wherever it accepts; a fuzz target does the same. It accepts
  every document of both corpora. BenchmarkLintStream went from 1.63 s to 0.34 s
  and 9.3 to 2.6 million allocations.
- Static build: a cgo build of vmhealth exports every symbol, because kustomize links
  Go's plugin package, and the dynamic loader's symbol tables then add about 26 MB to
  every run's resident set (` + "`vmhealth version`" + `: 65 MB peak RSS with cgo, 39 MB
  static). The release has always been static (CGO_ENABLED=0); this report and
  ` + "`make build`" + ` now build the same way. What the binary's pages add to the resident
  set depends on the page cache: the kernel maps cached neighbours of every page fault,
  so a binary just built (all of it cached, as here) shows the most, about 32 MB.
- The directory tree: every file asked for its kustomization patches by making 25
  paths absolute and looking each up; the answer is now kept per directory. Files
  found in directories are read with plain open, read and close, without an
  *os.File's poller registration and cleanup. Single-threaded
  (` + "`GOMAXPROCS=1 /usr/bin/time vmhealth lint --quiet tree/`" + ` against the file) the tree
  costs about 30 µs of CPU a file more than the same VMs in one file: opening and
  reading 10,000 files, and their share of the collector.

Read the ratios with the load averages at the top: lint runs on both cores and the
floor on one, so whatever else runs on the machine takes more from lint than from the
floor. The report of 2026-11-25, on a quieter machine, gave 0.97× for the single file;
the run of 2026-12-02 shared the 2 cores with a QEMU guest under TCG (one core busy) and
a test run, and gave about 3×.
`
