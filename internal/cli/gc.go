package cli

import (
	"os"
	"runtime/debug"
)

// Linting allocates a lot of short-lived memory (a YAML node tree per
// document) while keeping little alive (a few MB), so the default GOGC=100
// collects several hundred times on a 16 MB input. A larger GOGC with a
// soft memory limit collects far less often and still keeps the process
// small: the heap stays under the limit, and the rest of the resident set
// is the binary itself (about 40 MB of it, mostly the Kubernetes client and
// CEL libraries). Should one document need more live memory than the limit,
// the collector runs more often, capped by the runtime at half the CPU;
// nothing fails. See docs/performance.md. GOGC and GOMEMLIMIT from the
// environment win.
const (
	gcPercent   = 400
	memoryLimit = 24 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
