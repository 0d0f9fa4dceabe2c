package cli

import (
	"os"
	"runtime/debug"
)

// Linting allocates a lot of short-lived memory (a YAML node tree per
// document) while keeping little alive, so the default GOGC=100 collects
// several hundred times on a 16 MB input. A larger GOGC with a soft memory
// limit collects far less often and still keeps the process small; see
// docs/performance.md. GOGC and GOMEMLIMIT from the environment win.
const (
	gcPercent   = 400
	memoryLimit = 56 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
