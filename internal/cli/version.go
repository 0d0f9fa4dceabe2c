package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time:
//
//	go build -ldflags "-X github.com/vmhealth/vmhealth/internal/cli.version=v0.1.0" ./cmd/vmhealth
//
// When it is empty, the version comes from the build information, which
// `go install …@v0.1.0` fills in, or is "devel".
var version = ""

// commit is the commit built from, set at build time by make (-X …cli.commit=…)
// because release builds leave the VCS stamp out to stay reproducible.
var commit = ""

// kubevirtAPIModule is the module whose types lint checks manifests against.
const kubevirtAPIModule = "kubevirt.io/api"

// VersionOptions hold the dependencies of version.
type VersionOptions struct {
	IO        *IOStreams
	BuildInfo func() (*debug.BuildInfo, bool)
}

// NewCmdVersion builds the version command. runF replaces versionRun in
// tests.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IOStreams, BuildInfo: f.BuildInfo}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of vmhealth and of the KubeVirt API it checks against",
		Long: `Print the version of vmhealth, the Go version it was built with, and the
version of kubevirt.io/api whose types lint checks manifests against: a
field added to KubeVirt after that version is reported as unknown.`,
		Example: `  vmhealth version

  # The same, in one line
  vmhealth --version`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *VersionOptions) error {
	info := readBuild(opts.BuildInfo)
	_, err := fmt.Fprintf(opts.IO.Out, "vmhealth %s\ngo: %s %s/%s\n%s: %s\n",
		info.version, runtime.Version(), runtime.GOOS, runtime.GOARCH, kubevirtAPIModule, info.kubevirtAPI)
	if err == nil && info.revision != "" {
		_, err = fmt.Fprintf(opts.IO.Out, "commit: %s\n", info.revision)
	}
	return err
}

type buildFacts struct {
	version, kubevirtAPI, revision string
}

func readBuild(read func() (*debug.BuildInfo, bool)) buildFacts {
	facts := buildFacts{version: version, kubevirtAPI: "unknown", revision: commit}
	var bi *debug.BuildInfo
	if read != nil {
		bi, _ = read()
	}
	if bi == nil {
		if facts.version == "" {
			facts.version = "devel"
		}
		return facts
	}
	if facts.version == "" {
		facts.version = "devel"
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			facts.version = v
		}
	}
	for _, d := range bi.Deps {
		if d.Path != kubevirtAPIModule {
			continue
		}
		facts.kubevirtAPI = d.Version
		if d.Replace != nil {
			facts.kubevirtAPI = d.Replace.Version + " (replaces " + d.Version + ")"
		}
	}
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if facts.revision == "" {
				facts.revision = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if facts.revision != "" && modified {
		facts.revision += " (modified)"
	}
	return facts
}

// versionString is what --version prints after the program's name.
func versionString(f *Factory) string { return readBuild(f.BuildInfo).version }
