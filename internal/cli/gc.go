package cli

import (
	"os"
	"runtime/debug"
)

// Linting allocates a lot of short-lived memory (a YAML node tree per
// document) while keeping little alive (4 MB on a clean repository, 6–9 MB
// on one where every VM has findings: the candidates of the file-wide rule
// and the output's bookkeeping), so the default GOGC=100 collects several
// hundred times on a 16 MB input. GOGC=400 collects far less often; the
// soft memory limit only caps a heap that would grow past it, and the
// collector then runs more often, capped by the runtime at half the CPU;
// nothing fails. GOGC and GOMEMLIMIT from the environment win.
//
// The limit was chosen by measurement (docs/performance.md, "Garbage
// collection"): GOMEMLIMIT=<limit> /usr/bin/time -f '%U %S %M' vmhealth
// lint --no-color -o sarif on the clean and the messy corpus (10,000 VMs,
// one 18 MB file each), three alternated runs of every limit on the 2-core
// machine at load average 8–10, median CPU (user + system) and peak RSS:
//
//	limit   clean CPU  clean RSS  messy CPU  messy RSS
//	24 MiB  3.94 s     77 MB      5.82 s     78 MB
//	32 MiB  4.05 s     84 MB      5.34 s     86 MB
//	48 MiB  4.06 s     95 MB      5.20 s     97 MB
//	64 MiB  3.73 s     93 MB      4.49 s     101 MB
//
// The clean corpus does not care; on the messy one the 24 MiB limit of
// before, which leaves the heap about 14 MB once the runtime's own memory
// is counted, made the collector run every few MB and cost a quarter more
// CPU. 64 MiB costs about 23 MB more resident memory, which no CI runner
// or laptop notices; most of the resident set is the binary's own pages
// in any case (57 MB before any input is read).
const (
	gcPercent   = 400
	memoryLimit = 64 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
