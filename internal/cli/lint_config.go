package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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

// ciOptions are the options of lint that a CI gate uses. LintOptions
// embeds them; lint_baseline.go applies them to a run.
type ciOptions struct {
	// ConfigPath is --config; empty means look for .vmhealth.yaml in the
	// working directory and its parents.
	ConfigPath string
	// NoConfig is --no-config: read no configuration file.
	NoConfig bool
	// Config is the configuration in effect; nil when there is none.
	Config *config.Config
	// SeverityOverrides change rules' severities (from the configuration).
	SeverityOverrides map[string]validate.Severity
	// MinBootSeconds is how long a guest is assumed to need to boot.
	MinBootSeconds int
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
	fl.StringVar(&o.ConfigPath, flagConfig, "", "configuration file (default: "+config.FileName+" in the working directory or the nearest parent)")
	fl.BoolVar(&o.NoConfig, flagNoConfig, false, "read no configuration file")
	fl.StringVar(&o.Baseline, flagBaseline, "", "baseline file: findings recorded in it are reported as suppressed and do not fail the run")
	fl.StringVar(&o.BaselineWrite, flagBaselineWrite, "", "record this run's findings in a baseline file (replacing it) and accept them")
	fl.IntVar(&o.MinBootSeconds, flagMinBootSeconds, 60, "seconds a guest is assumed to need to boot; liveness probes that can end the VM sooner are reported")
	cmd.MarkFlagsMutuallyExclusive(flagConfig, flagNoConfig)
	_ = cmd.MarkFlagFilename(flagConfig, "yaml", "yml")
	_ = cmd.MarkFlagFilename(flagBaseline, "json")
	_ = cmd.MarkFlagFilename(flagBaselineWrite, "json")
}

// setupCI reads the configuration file and lets it set every flag that was
// not given: flags override the file. It runs before the flags are checked,
// so values from the file go through the same checks (the file's own
// checks catch them first, naming the key).
func setupCI(cmd *cobra.Command, f *Factory, opts *LintOptions) error {
	opts.toolVersion = versionString(f)
	if err := loadConfig(opts); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(opts.IO.ErrOut, "vmhealth: %s\n", line)
		}
		return errSilent
	}
	if c := opts.Config; c != nil {
		fl := cmd.Flags()
		set := func(name, value string) error {
			if value == "" || fl.Changed(name) {
				return nil
			}
			if err := fl.Set(name, value); err != nil {
				return fmt.Errorf("%s: %s: %w", c.Path, name, err)
			}
			return nil
		}
		var mdb, mbs string
		if c.MaxDocumentBytes > 0 {
			mdb = strconv.FormatInt(int64(c.MaxDocumentBytes), 10)
		}
		if c.MinBootSeconds > 0 {
			mbs = strconv.Itoa(c.MinBootSeconds)
		}
		if err := errors.Join(set(flagFailOn, c.FailOn), set(flagArch, c.Architecture),
			set(flagMaxDocumentBytes, mdb), set(flagMinBootSeconds, mbs)); err != nil {
			return err
		}
		// --disable adds to the rules the file turns off.
		opts.Disable = append(opts.Disable, c.Disabled()...)
		opts.SeverityOverrides = c.SeverityOverrides()
	}
	if opts.MinBootSeconds < 1 {
		return usageErrorf(cmd, "invalid --%s %d: must be at least 1", flagMinBootSeconds, opts.MinBootSeconds)
	}
	return nil
}

// loadConfig finds and reads the configuration file, unless --no-config.
func loadConfig(opts *LintOptions) error {
	c, err := findConfig(opts.NoConfig, opts.ConfigPath, opts.Registry)
	if err != nil {
		return err
	}
	opts.Config = c
	return nil
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
