package cli

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/config"
	"github.com/vmhealth/vmhealth/validate"
)

// linterConfig is how every command that lints (lint, policy, gen,
// explain, apply) builds its Linter: from its flags and the configuration
// file. A command registers the flags it has (--config and --no-config
// always), completeLinter reads the file and checks the flags, and
// newLinter builds the Linter. Flags override the file.
type linterConfig struct {
	Registry *validate.Registry
	// ConfigPath is --config; empty means look for .vmhealth.yaml in the
	// working directory and its parents.
	ConfigPath string
	// NoConfig is --no-config: read no configuration file.
	NoConfig bool
	// Config is the configuration in effect; nil when there is none.
	Config *config.Config
	// Arch is --arch, for commands whose --arch is the architecture lint
	// assumes; empty means the file's, else amd64.
	Arch string
	// Disable is --disable: rules turned off besides the file's.
	Disable []string
	// MinBootSeconds is --min-boot-seconds, for commands that have it; 0
	// means the file's, else the rule's default.
	MinBootSeconds int
	// SeverityOverrides change rules' severities (from the file).
	SeverityOverrides map[string]validate.Severity
}

// addConfigFlags adds --config and --no-config.
func addConfigFlags(cmd *cobra.Command, lc *linterConfig, what string) {
	fl := cmd.Flags()
	fl.StringVar(&lc.ConfigPath, flagConfig, "", what+" (default: "+config.FileName+" in the working directory or the nearest parent)")
	fl.BoolVar(&lc.NoConfig, flagNoConfig, false, "read no configuration file")
	cmd.MarkFlagsMutuallyExclusive(flagConfig, flagNoConfig)
	_ = cmd.MarkFlagFilename(flagConfig, "yaml", "yml")
}

// completeLinter reads the configuration file and lets it set each of the
// flags named in fromFile that cmd has and that was not given, then checks
// the flags of linterConfig that cmd has. Values from the file go through
// the same checks as flags (the file's own checks catch them first, naming
// the key). An unreadable or wrong file is a runtime error, a wrong flag a
// usage error.
func (lc *linterConfig) completeLinter(cmd *cobra.Command, fromFile ...string) error {
	c, err := findConfig(lc.NoConfig, lc.ConfigPath, lc.Registry)
	if err != nil {
		return &configError{err: err}
	}
	lc.Config = c
	fl := cmd.Flags()
	if c != nil {
		values := map[string]string{flagFailOn: c.FailOn, flagArch: c.Architecture}
		if c.MaxDocumentBytes > 0 {
			values[flagMaxDocumentBytes] = strconv.FormatInt(int64(c.MaxDocumentBytes), 10)
		}
		if v := c.RuleParams()[validate.LivenessBootRuleID][validate.MinBootSecondsParam]; v > 0 {
			values[flagMinBootSeconds] = strconv.Itoa(v)
		}
		for _, name := range fromFile {
			v := values[name]
			if v == "" || fl.Lookup(name) == nil || fl.Changed(name) {
				continue
			}
			if err := fl.Set(name, v); err != nil {
				return fmt.Errorf("%s: %s: %w", c.Path, name, err)
			}
		}
		lc.SeverityOverrides = c.SeverityOverrides()
	}
	if lc.Registry == nil {
		lc.Registry = validate.DefaultRegistry
	}
	if fl.Lookup(flagArch) != nil && lc.Arch != "" && !slices.Contains(architectures, lc.Arch) {
		return invalidEnum(cmd, flagArch, lc.Arch, architectures)
	}
	for _, id := range lc.Disable {
		if _, ok := lc.Registry.Get(id); !ok {
			return usageErrorf(cmd, "--%s: %s", flagDisable, unknownRuleMessage(lc.Registry, id))
		}
	}
	if fl.Lookup(flagMinBootSeconds) != nil && lc.MinBootSeconds < 1 {
		return usageErrorf(cmd, "invalid --%s %d: must be at least 1", flagMinBootSeconds, lc.MinBootSeconds)
	}
	return nil
}

// disabled returns the rules turned off by --disable and the file.
func (lc *linterConfig) disabled() map[string]bool {
	out := map[string]bool{}
	for _, id := range lc.Disable {
		out[id] = true
	}
	if lc.Config != nil {
		for _, id := range lc.Config.Disabled() {
			out[id] = true
		}
	}
	return out
}

// linterOptions returns the Linter's options: the rules, severities and
// parameters of flags and file, and the architecture.
func (lc *linterConfig) linterOptions() validate.Options {
	opts := validate.Options{
		Registry:          lc.Registry,
		Disabled:          lc.disabled(),
		SeverityOverrides: lc.SeverityOverrides,
		Architecture:      lc.Arch,
		RuleParams:        map[string]map[string]int{},
	}
	if lc.Config != nil {
		for id, p := range lc.Config.RuleParams() {
			// minBootSeconds sets a rule a registry of other rules lacks.
			if _, ok := lc.Registry.Get(id); ok {
				opts.RuleParams[id] = p
			}
		}
		if opts.Architecture == "" {
			opts.Architecture = lc.Config.Architecture
		}
	}
	if lc.MinBootSeconds > 0 {
		id := validate.LivenessBootRuleID
		if r, ok := lc.Registry.Get(id); ok {
			if _, has := r.Param(validate.MinBootSecondsParam); has {
				p := maps.Clone(opts.RuleParams[id])
				if p == nil {
					p = map[string]int{}
				}
				p[validate.MinBootSecondsParam] = lc.MinBootSeconds
				opts.RuleParams[id] = p
			}
		}
	}
	return opts
}

// newLinter builds the Linter of linterOptions, changed by edit when it is
// not nil (lint adds its output's callbacks).
func (lc *linterConfig) newLinter(edit func(*validate.Options)) (*validate.Linter, error) {
	opts := lc.linterOptions()
	if edit != nil {
		edit(&opts)
	}
	return validate.New(opts)
}
