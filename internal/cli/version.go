package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
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
	// Output is "" (text), json or yaml, as kubectl version -o.
	Output string
}

// structuredFormats are the -o values of version and rules besides text,
// kubectl's two.
var structuredFormats = []string{"json", "yaml"}

// NewCmdVersion builds the version command. runF replaces versionRun in
// tests.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IOStreams, BuildInfo: f.BuildInfo}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of vmhealth and of the KubeVirt API it checks against",
		Long: `Print the version of vmhealth, the Go version it was built with, and the
version of kubevirt.io/api whose types lint checks manifests against: a
field added to KubeVirt after that version is reported as unknown.`,
		Example: `  vmhealth version

  # The same, in one line
  vmhealth --version

  # For a program, as kubectl version -o json
  vmhealth version -o json | jq -r .version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Output != "" && !slices.Contains(structuredFormats, opts.Output) {
				return invalidEnum(cmd, flagOutput, opts.Output, structuredFormats)
			}
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	addStructuredOutputFlag(cmd, &opts.Output)
	return cmd
}

// addStructuredOutputFlag adds kubectl's -o json|yaml to a command whose
// default output is text.
func addStructuredOutputFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVarP(p, flagOutput, "o", "", "output format: json or yaml (default: text)")
	_ = cmd.RegisterFlagCompletionFunc(flagOutput, cobra.FixedCompletions(structuredFormats, cobra.ShellCompDirectiveNoFileComp))
}

// writeStructured writes v as indented JSON or as YAML.
func writeStructured(io *IOStreams, format string, v any) error {
	var data []byte
	var err error
	if format == "yaml" {
		data, err = yaml.Marshal(v)
	} else {
		data, err = json.MarshalIndent(v, "", "  ")
		data = append(data, '\n')
	}
	if err != nil {
		return err
	}
	_, err = io.Out.Write(data)
	return err
}

// versionDoc is version's -o json and yaml.
type versionDoc struct {
	Version     string `json:"version"`
	GoVersion   string `json:"goVersion"`
	Platform    string `json:"platform"`
	KubeVirtAPI string `json:"kubevirtAPI"`
	// Commit is empty in builds without VCS information.
	Commit string `json:"commit,omitempty"`
}

func versionRun(opts *VersionOptions) error {
	info := readBuild(opts.BuildInfo)
	if opts.Output != "" {
		return writeStructured(opts.IO, opts.Output, versionDoc{
			Version: info.version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
			KubeVirtAPI: info.kubevirtAPI, Commit: info.revision,
		})
	}
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
