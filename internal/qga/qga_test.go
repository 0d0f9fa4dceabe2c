package qga_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vmhealth/vmhealth/internal/qga"
	"github.com/vmhealth/vmhealth/internal/qga/qgatest"
)

func dial(t *testing.T, opts qgatest.Options) (*qga.Client, *qgatest.Agent) {
	t.Helper()
	a := qgatest.Start(t, opts)
	c, err := qga.Dial(context.Background(), "unix", a.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, a
}

func TestPingSyncsOnce(t *testing.T) {
	for _, stale := range []bool{false, true} {
		c, a := dial(t, qgatest.Options{Stale: stale})
		for range 2 {
			if err := c.Ping(context.Background()); err != nil {
				t.Fatalf("stale=%v: %v", stale, err)
			}
		}
		want := []string{"guest-sync-delimited", "guest-ping", "guest-ping"}
		if got := a.Commands(); !slices.Equal(got, want) {
			t.Errorf("stale=%v: agent got %q, want %q", stale, got, want)
		}
	}
}

func TestExec(t *testing.T) {
	c, _ := dial(t, qgatest.Options{Stale: true})
	tests := []struct {
		name           string
		args           []string
		code, signal   int
		stdout, stderr string
	}{
		{name: "success", args: []string{"-c", "echo ok"}, stdout: "ok\n"},
		{name: "exit status and both streams", args: []string{"-c", "echo out; echo err >&2; sleep 0.05; exit 3"}, code: 3, stdout: "out\n", stderr: "err\n"},
		{name: "killed", args: []string{"-c", "kill -9 $$"}, signal: 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Exec(context.Background(), "/bin/sh", tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != tt.code || res.Signal != tt.signal || string(res.Stdout) != tt.stdout || string(res.Stderr) != tt.stderr {
				t.Errorf("got %+v (stdout %q, stderr %q), want code %d signal %d stdout %q stderr %q",
					res, res.Stdout, res.Stderr, tt.code, tt.signal, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestExecTimeoutThenResync(t *testing.T) {
	c, a := dial(t, qgatest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Exec(ctx, "/bin/sleep", []string{"5"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Exec returned after %v, long past its deadline", d)
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := slices.Index(a.Commands(), "guest-exec"); n < 0 {
		t.Errorf("agent never got guest-exec: %q", a.Commands())
	}
}

func TestExecDisabled(t *testing.T) {
	c, _ := dial(t, qgatest.Options{DisableExec: true})
	_, err := c.Exec(context.Background(), "/bin/true", nil)
	var qe *qga.Error
	if !errors.As(err, &qe) || qe.Class != "GenericError" || qe.Command != "guest-exec" {
		t.Fatalf("got %v, want the agent's GenericError for guest-exec", err)
	}
	// An error answer keeps the stream in step: no second sync.
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestExecMissingProgram(t *testing.T) {
	c, _ := dial(t, qgatest.Options{})
	_, err := c.Exec(context.Background(), "/no/such/program", nil)
	var qe *qga.Error
	if !errors.As(err, &qe) {
		t.Fatalf("got %v, want an agent error", err)
	}
}

func TestSilentAgentHonoursContext(t *testing.T) {
	c, _ := dial(t, qgatest.Options{Silent: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := c.Ping(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel2)
	if err := c.Ping(ctx2); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want a cancellation error", err)
	}
}

func TestDialNoSocket(t *testing.T) {
	_, err := qga.Dial(context.Background(), "unix", filepath.Join(t.TempDir(), "none.sock"))
	if err == nil {
		t.Fatal("dialing a missing socket succeeded")
	}
}
