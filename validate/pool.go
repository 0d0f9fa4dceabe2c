package validate

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
)

// Lint reads every input (files, directories, or "-" for stdin) and calls
// emit with each finding as soon as it is known: file by file, document
// by document, each document's findings in CompareFindings order. A
// file-wide finding (readiness-probe-missing) whose Service comes after
// the object is emitted with the Service's document. Unreadable inputs are
// recorded in the summary's InputErrors and skipped. The error is non-nil
// only when ctx ends.
//
// Lint is Load and Check in a pool of Options.Workers goroutines: a
// reader splits the inputs into documents, workers load and check them,
// and the findings come out in input order.
func (l *Linter) Lint(ctx context.Context, inputs []string, stdin io.Reader, emit func(Finding)) (*Summary, error) {
	srcs, errs, ignored := expandInputs(inputs, stdin, l.opts.SkipPath, l.opts.ShallowDir)
	sum, err := l.run(ctx, srcs, emit)
	sum.IgnoredPaths = ignored
	sum.InputErrors = append(errs, sum.InputErrors...)
	slices.SortStableFunc(sum.InputErrors, func(a, b InputError) int { return a.arg - b.arg })
	return sum, err
}

// LintReader lints one stream under the given name.
func (l *Linter) LintReader(ctx context.Context, name string, r io.Reader, emit func(Finding)) (*Summary, error) {
	src := source{name: name, open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
	return l.run(ctx, []source{src}, emit)
}

// LintBytes lints data held in memory and returns its findings in order.
func (l *Linter) LintBytes(name string, data []byte) ([]Finding, *Summary) {
	var out []Finding
	sum, _ := l.LintReader(context.Background(), name, bytes.NewReader(data), func(f Finding) { out = append(out, f) })
	return out, sum
}

// job is one document on its way through the worker pool; a job with a nil
// chunk marks the end of a file.
type job struct {
	file int
	arg  int
	name string
	c    *chunk
	// whole is a file that a worker reads and lints on its own; the job
	// also ends the file.
	whole *source
	err   error // a read error that ended the file
	done  chan docResult
}

func (l *Linter) run(ctx context.Context, srcs []source, emit func(Finding)) (*Summary, error) {
	col := l.newCollector(emit, nil)
	workers := l.opts.Workers
	queue := make(chan *job, workers*8)
	work := make(chan *job, workers*2)

	for range workers {
		go func() {
			for j := range work {
				if j.whole != nil {
					j.done <- l.lintWhole(j.whole)
				} else {
					j.done <- l.lintChunk(j.name, j.c, false)
				}
			}
		}()
	}

	go func() {
		defer close(queue)
		defer close(work)
		for i, src := range srcs {
			if ctx.Err() != nil {
				return
			}
			l.readSource(ctx, i, src, queue, work)
		}
	}()

	for j := range queue {
		if j.c != nil || j.whole != nil {
			res := <-j.done
			col.add(res)
			if j.whole == nil {
				continue
			}
			j.err = res.readErr
		}
		col.endFile(j.name, j.arg, j.err)
	}
	return col.sum, ctx.Err()
}

// readSource splits one input into documents and queues them, then queues
// the end-of-file marker.
func (l *Linter) readSource(ctx context.Context, idx int, src source, queue, work chan<- *job) {
	if src.whole {
		j := &job{file: idx, arg: src.arg, name: src.name, whole: &src, done: make(chan docResult, 1)}
		queue <- j
		work <- j
		return
	}
	end := &job{file: idx, arg: src.arg, name: src.name}
	defer func() { queue <- end }()
	rc, err := src.open()
	if err != nil {
		end.err = err
		return
	}
	defer rc.Close()
	end.err = l.forEachChunk(ctx, rc, func(c *chunk) {
		j := &job{file: idx, name: src.name, c: c, done: make(chan docResult, 1)}
		queue <- j
		work <- j
	})
}

// forEachChunk splits r into documents and calls fn with each that is not
// blank, until r ends, ctx ends, or reading fails.
func (l *Linter) forEachChunk(ctx context.Context, r io.Reader, fn func(*chunk)) error {
	sp := newSplitter(r, l.opts.MaxDocumentBytes)
	defer sp.release()
	for ctx.Err() == nil {
		c, err := sp.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		if !c.tooLarge && isBlank(c.data) {
			continue
		}
		fn(c)
	}
	return nil
}

// lintWhole reads one file and lints its documents in order, as a single
// result.
func (l *Linter) lintWhole(src *source) (res docResult) {
	rc, err := src.open()
	if err != nil {
		res.readErr = err
		return res
	}
	defer rc.Close()
	res.readErr = l.forEachChunk(context.Background(), rc, func(c *chunk) {
		res.merge(l.lintChunk(src.name, c, false))
	})
	return res
}

// lintSerial lints data on the calling goroutine, document by document,
// as Lint would, and hands every object to onObject when it is set.
func (l *Linter) lintSerial(name string, data []byte, emit func(Finding), onObject func(*Object)) *Summary {
	col := l.newCollector(emit, onObject)
	err := l.forEachChunk(context.Background(), bytes.NewReader(data), func(c *chunk) {
		col.add(l.lintChunk(name, c, onObject != nil))
	})
	col.endFile(name, 0, err)
	return col.sum
}

// Objects lints data like LintBytes and also returns the KubeVirt objects
// it decoded, in input order, for tools that need both (explain). It is
// Load and Check with the file-wide rules, on the calling goroutine.
func (l *Linter) Objects(name string, data []byte) ([]*Object, []Finding, *Summary) {
	var (
		objs []*Object
		out  []Finding
	)
	sum := l.lintSerial(name, data, func(f Finding) { out = append(out, f) }, func(o *Object) { objs = append(objs, o) })
	return objs, out, sum
}
