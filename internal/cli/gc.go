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
//
// Measured on the messy corpus (10,000 VMs, every one with findings, one
// 18 MB file, --quiet; one run each on a 2-core machine at load 30, so CPU
// figures, not wall): 24 MiB 5.4 s CPU and 57 MB peak RSS; 32 MiB 4.9 s and
// 66 MB; 64 MiB 4.2 s and 69 MB; no limit 3.9 s and 72 MB. Since findings
// stream (nothing is held to the end of a file) the live heap stays small
// on messy input too, so the limit costs some CPU but keeps the resident
// set within the 64 MB target; only 24 MiB does.
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
