package validate

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// addSeeds feeds the fuzzer every real manifest of the corpus and every rule
// fixture.
func addSeeds(f *testing.F) {
	for _, glob := range []string{"../testdata/corpus/files/*/*.yaml", "testdata/rules/*/*.yaml"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
	}
}

// FuzzLint feeds arbitrary bytes to the whole loader, decoder and rule set:
// it must never panic, never report an internal error, and every finding
// must point inside the input.
func FuzzLint(f *testing.F) {
	addSeeds(f)
	l := MustNew(Options{MaxDocumentBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, data []byte) {
		var (
			findings []Finding
			sum      *Summary
			done     = make(chan struct{})
		)
		go func() {
			defer close(done)
			findings, sum = l.LintBytes("fuzz.yaml", data)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("linting %d bytes took over 10 s: %q", len(data), data)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, fd := range findings {
			if fd.RuleID == InternalErrorRuleID {
				t.Fatalf("internal error: %s", fd.Message)
			}
			if fd.Line < 1 || fd.Line > lines || fd.Column < 1 {
				t.Fatalf("finding outside the input (%d lines): %s %s:%d:%d %s", lines, fd.RuleID, fd.File, fd.Line, fd.Column, fd.Message)
			}
		}
		if sum.Files != 1 {
			t.Fatalf("files = %d", sum.Files)
		}
	})
}

// FuzzSplitter checks that splitting never loses or invents content: the
// chunks, put back together, are the input (less a leading byte order mark
// and the "..." end markers, which the splitter drops).
func FuzzSplitter(f *testing.F) {
	addSeeds(f)
	f.Add([]byte("a: 1\n---\nb: 2\n...\n---\nc: 3"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sp := newSplitter(bytes.NewReader(data), 1<<30)
		var joined bytes.Buffer
		last := 0
		for {
			c, err := sp.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.line < last {
				t.Fatalf("chunk lines go backwards: %d after %d", c.line, last)
			}
			last = c.line
			joined.Write(c.data)
		}
		want := string(bytes.TrimPrefix(data, utf8BOM))
		got := joined.String()
		if !strings.Contains(want, "...") && got != want {
			t.Fatalf("chunks do not add up:\n got %q\nwant %q", got, want)
		}
	})
}
