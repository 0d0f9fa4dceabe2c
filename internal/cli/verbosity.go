package cli

import "github.com/spf13/pflag"

// flagVerbosity is kubectl's -v/--v: a log level, the same flag on every
// command. Commands that talk to a cluster (apply, lint --cluster) log at
// it; the others accept it and have nothing to log.
const flagVerbosity = "v"

// Verbosity levels, as kubectl's -v counts them: vmhealth has two things
// to say, so every higher level says both (kubectl's usual -v=6 and -v=8
// show everything).
const (
	// verbosityRequests logs where vmhealth connects and each API request.
	verbosityRequests = 1
	// verbosityBodies also logs the stanza sent to each object.
	verbosityBodies = 2
)

// addVerbosityFlag adds -v/--v=N to fs, stored in p.
func addVerbosityFlag(fs *pflag.FlagSet, p *int) {
	fs.IntVarP(p, flagVerbosity, "v", 0, "log level, as kubectl's -v: 1 or more logs the cluster used and each API request, 2 or more also the stanza sent; credentials are never shown")
}
