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
// soft memory limit caps a heap that would grow past it, and the
// collector then runs more often, capped by the runtime at half the CPU;
// nothing fails. GOGC and GOMEMLIMIT from the environment win.
//
// The limit was chosen by measurement (docs/performance.md, "Garbage
// collection"): GOMEMLIMIT=<limit> /usr/bin/time -f '%U %S %M %e' vmhealth
// lint --no-color -o FORMAT on the clean and the messy corpus (10,000 VMs,
// one 18 MB file each), with the static release build, five alternated
// runs of every limit and format on the 2-core machine at load average
// 1–1.4, median CPU (user + system) and the largest peak RSS of the five:
//
//	limit   clean text  clean junit  messy text  messy sarif  messy junit
//	24 MiB  0.76 s      1.09 s       1.13 s      1.36 s       1.82 s 55 MB
//	28 MiB  0.74 s      1.02 s       1.01 s      1.32 s       1.65 s 59 MB
//	32 MiB  0.72 s      0.97 s       0.94 s      1.22 s       1.59 s 64 MB
//	64 MiB  0.68 s      0.83 s       0.92 s      1.14 s       1.35 s 94 MB
//
// Peak RSS is the binary's own pages (32 MB, read from /proc while
// `vmhealth lint -` waits on stdin) plus about the limit, whatever the
// format; JUnit's is the largest. 28 MiB keeps every run under 64 MB with
// room for a binary whose pages are all cached, for 5–20% more CPU than
// 64 MiB, where the resident set passes 90 MB.
const (
	gcPercent   = 400
	memoryLimit = 28 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
