package cli

import (
	"os"
	"runtime/debug"

	"github.com/vmhealth/vmhealth/validate"
)

// Factory holds what commands depend on, so tests can swap any of it.
type Factory struct {
	IOStreams *IOStreams
	// Getenv reads the environment (NO_COLOR, TERM).
	Getenv func(string) string
	// Registry is the set of rules that lint runs and rules documents.
	Registry *validate.Registry
	// BuildInfo reports how the binary was built, for version.
	BuildInfo func() (*debug.BuildInfo, bool)
}

// NewFactory returns the factory of a real run: the process's streams and
// environment and vmhealth's own rules.
func NewFactory() *Factory {
	return &Factory{
		IOStreams: System(),
		Getenv:    os.Getenv,
		Registry:  validate.DefaultRegistry,
		BuildInfo: debug.ReadBuildInfo,
	}
}

// ColorAllowed reports whether output to stdout may be coloured: stdout is
// a terminal, NO_COLOR (https://no-color.org) is unset or empty, and the
// terminal is not a dumb one. Commands add their own --no-color.
func (f *Factory) ColorAllowed() bool {
	return f.IOStreams.IsStdoutTTY() && f.Getenv("NO_COLOR") == "" && f.Getenv("TERM") != "dumb"
}
