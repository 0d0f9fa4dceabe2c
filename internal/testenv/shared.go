package testenv

// One environment shared by the tests of a package: Main and Shared.

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The shared environment of a test package (see Main and Shared).
var shared struct {
	mu      sync.Mutex
	inMain  bool
	started bool
	env     *Env
	err     error
}

// Main runs the package's tests for a TestMain that shares one environment
// among them, then stops it and exits with the tests' result:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// It also stops the environment when the test binary gets SIGINT or SIGTERM,
// since the control plane runs in its own process group and would outlive it.
// Main does not return.
func Main(m *testing.M) {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "testenv: %v: stopping the shared control plane\n", s)
		stopShared()
		os.Exit(2)
	}()

	code := m.Run()
	signal.Stop(sig)
	if err := stopShared(); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: stopping the shared control plane: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Shared returns the package's shared environment, starting it on first use.
// The package's TestMain must call Main (Shared fails the test otherwise, as
// nothing would stop the control plane). Like Start, it fails the test when
// the environment cannot start.
func Shared(tb testing.TB) *Env {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		tb.Fatalf("testenv: Shared needs the package's TestMain to call testenv.Main(m)")
	}
	if !shared.started {
		shared.started = true
		start := time.Now()
		shared.env, shared.err = New()
		if shared.err == nil {
			tb.Logf("testenv: shared control plane started in %v", time.Since(start).Round(time.Millisecond))
		}
	}
	if shared.err != nil {
		tb.Fatalf("testenv: %v", shared.err)
	}
	return shared.env
}

func stopShared() error {
	shared.mu.Lock()
	e := shared.env
	shared.mu.Unlock()
	if e == nil {
		return nil
	}
	return e.Stop()
}
