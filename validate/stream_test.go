package validate

import (
	"context"
	"io"
	"testing"
	"time"
)

const streamVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
  namespace: prod
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      domain:
        devices: {}
`

const streamService = `---
apiVersion: v1
kind: Service
metadata:
  name: front
  namespace: prod
spec:
  selector:
    app: web
`

// TestFileRuleFindingStreams checks that a readiness-probe-missing finding
// for a VM whose Service comes later in the file is emitted once the
// Service has been read, before the rest of the file exists: nothing is
// held back to the end of the file.
func TestFileRuleFindingStreams(t *testing.T) {
	pr, pw := io.Pipe()
	got := make(chan Finding, 16)
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{Workers: 2}).LintReader(context.Background(), "vms.yaml", pr, func(f Finding) { got <- f })
		done <- err
	}()
	go func() {
		io.WriteString(pw, streamVM+streamService+"---\n")
		// More documents follow only once the finding is out; the writer
		// is then closed by the test.
	}()
	select {
	case f := <-got:
		if f.RuleID != "readiness-probe-missing" || f.Document != 0 {
			t.Fatalf("first finding %s in document %d, want readiness-probe-missing in document 0", f.RuleID, f.Document)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no finding while the file is still open: findings are held back to the end of the file")
	}
	io.WriteString(pw, streamVM)
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
