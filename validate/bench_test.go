package validate

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/benchcorpus"
)

// benchVMs is the corpus size of the benchmarks; `go test -short` (as CI runs
// them with -benchtime=1x) uses a small one so they cannot rot but stay fast.
func benchVMs() int {
	if testing.Short() {
		return 200
	}
	return benchcorpus.Default.VMs
}

var (
	streamOnce sync.Map // int -> []byte
)

func benchStream(b *testing.B) []byte {
	n := benchVMs()
	if v, ok := streamOnce.Load(n); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	c := benchcorpus.Default
	c.VMs = n
	if err := c.WriteStream(&buf); err != nil {
		b.Fatal(err)
	}
	streamOnce.Store(n, buf.Bytes())
	return buf.Bytes()
}

// nodeDecodeFloor decodes every document of data into go-yaml v3 nodes on one
// goroutine: the least any linter that reports line numbers must do.
func nodeDecodeFloor(data []byte) (int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var node yaml.Node
		if err := dec.Decode(&node); err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
		n++
	}
}

func lintStream(data []byte) (*Summary, error) {
	return New(Options{}).LintReader(context.Background(), "bench.yaml", bytes.NewReader(data), func(Finding) {})
}

// BenchmarkNodeDecodeFloor is the reference point of docs/performance.md.
func BenchmarkNodeDecodeFloor(b *testing.B) {
	data := benchStream(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nodeDecodeFloor(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLintStream lints the whole multi-document stream.
func BenchmarkLintStream(b *testing.B) {
	data := benchStream(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sum, err := lintStream(data)
		if err != nil || sum.Objects != benchVMs() {
			b.Fatalf("linted %d objects (%v)", sum.Objects, err)
		}
	}
}

// BenchmarkLintVsFloor times the floor and the lint alternately in the same
// iterations and reports their ratio, which is what the target is about:
// shared machines are noisy, ratios measured together are not.
func BenchmarkLintVsFloor(b *testing.B) {
	data := benchStream(b)
	var floor, lint time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := nodeDecodeFloor(data); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := lintStream(data); err != nil {
			b.Fatal(err)
		}
		floor += t1.Sub(t0)
		lint += time.Since(t1)
	}
	b.ReportMetric(float64(lint)/float64(floor), "lint/floor")
	b.ReportMetric(float64(floor.Milliseconds())/float64(b.N), "floor-ms/op")
}

// BenchmarkLintTree lints the same VMs as one file each in a directory tree.
func BenchmarkLintTree(b *testing.B) {
	dir := b.TempDir()
	c := benchcorpus.Default
	c.VMs = benchVMs()
	if err := c.WriteTree(dir); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		sum, err := New(Options{}).Lint(context.Background(), []string{dir}, nil, func(Finding) {})
		if err != nil || sum.Objects != c.VMs {
			b.Fatalf("linted %d objects (%v)", sum.Objects, err)
		}
	}
}

// BenchmarkRules runs only the rules on already decoded objects, to show
// what they cost next to parsing.
func BenchmarkDecodeAndRules(b *testing.B) {
	data := benchStream(b)
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			break
		}
		docs = append(docs, &n)
	}
	l := New(Options{})
	b.ResetTimer()
	for b.Loop() {
		for _, n := range docs {
			var res docResult
			l.walkObjects(&res, "bench.yaml", &chunk{line: 1}, resolve(n), "", false, 0)
		}
	}
}

func writeBenchFile(b *testing.B, data []byte) string {
	p := filepath.Join(b.TempDir(), "vms.yaml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

var _ = writeBenchFile

// BenchmarkMessyVsFloor is BenchmarkLintVsFloor on the messy corpus, where
// every VM has findings.
func BenchmarkMessyVsFloor(b *testing.B) {
	c := benchcorpus.Messy
	c.VMs = benchVMs()
	var buf bytes.Buffer
	if err := c.WriteStream(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	var floor, lint time.Duration
	findings := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := nodeDecodeFloor(data); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		findings = 0
		sum, err := New(Options{}).LintReader(context.Background(), "messy.yaml", bytes.NewReader(data), func(Finding) { findings++ })
		if err != nil || sum.Objects != c.VMs || findings < 2*c.VMs {
			b.Fatalf("linted %d objects, %d findings (%v)", sum.Objects, findings, err)
		}
		floor += t1.Sub(t0)
		lint += time.Since(t1)
	}
	b.ReportMetric(float64(lint)/float64(floor), "lint/floor")
	b.ReportMetric(float64(findings), "findings/op")
}
