package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/config"
	"github.com/vmhealth/vmhealth/validate"
)

// Flag names of lint for CI use: the configuration file, the baseline and
// the boot time the liveness rules assume.
const (
	flagConfig         = "config"
	flagNoConfig       = "no-config"
	flagBaseline       = "baseline"
	flagBaselineWrite  = "baseline-write"
	flagMinBootSeconds = "min-boot-seconds"
)

// ciOptions are the options of lint that a CI gate uses besides the
// configuration file (linter.go): the baseline. LintOptions embeds them;
// lint_baseline.go applies them to a run.
type ciOptions struct {
	// Baseline is --baseline: findings recorded in this file do not fail
	// the run.
	Baseline string
	// BaselineWrite is --baseline-write: record this run's findings there.
	BaselineWrite string

	toolVersion string
}

// addCIFlags adds the flags of ciOptions to lint.
func addCIFlags(cmd *cobra.Command, o *ciOptions) {
	fl := cmd.Flags()
	fl.StringVar(&o.Baseline, flagBaseline, "", "baseline file: findings recorded in it are reported as suppressed and do not fail the run")
	fl.StringVar(&o.BaselineWrite, flagBaselineWrite, "", "record this run's findings in a baseline file (replacing it) and accept them")
	_ = cmd.MarkFlagFilename(flagBaseline, "json")
	_ = cmd.MarkFlagFilename(flagBaselineWrite, "json")
}

// setupCI reads the configuration file and lets it set every flag that was
// not given: flags override the file.
func setupCI(cmd *cobra.Command, f *Factory, opts *LintOptions) error {
	opts.toolVersion = versionString(f)
	return opts.completeLinter(cmd, flagFailOn, flagArch, flagMaxDocumentBytes, flagMinBootSeconds)
}

// findConfig reads the configuration file named by --config, else the
// .vmhealth.yaml of the working directory or its nearest parent; it returns
// nil with --no-config or when there is none.
func findConfig(noConfig bool, path string, reg *validate.Registry) (*config.Config, error) {
	if noConfig {
		return nil, nil
	}
	if path == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("looking for %s: %w", config.FileName, err)
		}
		if path, err = config.Find(wd); err != nil || path == "" {
			return nil, err
		}
		// Errors name the file as the user would: relative when it is in
		// the working directory or above it.
		if rel, err := filepath.Rel(wd, path); err == nil {
			path = rel
		}
	}
	return config.Load(path, reg)
}
