// Package config reads .vmhealth.yaml, the configuration file of vmhealth
// lint: which rules run and at what severity, the severity that fails a
// run, paths to ignore, and the defaults of the lint flags.
//
//	failOn: warning
//	architecture: arm64
//	minBootSeconds: 120
//	maxDocumentBytes: 8Mi
//	ignore:
//	  - vendor/**
//	  - "**/*.generated.yaml"
//	rules:
//	  template-parameter:
//	    enabled: false
//	  probe-host-set:
//	    severity: error
//	  liveness-kills-before-boot:
//	    params:
//	      minBootSeconds: 180
//
// A file is read strictly: an unknown key, an unknown rule ID, a value of
// the wrong type or out of range is an error that names the key and its
// line, never a silent default.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/vmhealth/vmhealth/validate"
)

// FileName is the name Find looks for.
const FileName = ".vmhealth.yaml"

// File is the configuration as written. Zero values mean "not set": the
// command's own defaults apply.
type File struct {
	// FailOn is the lowest severity that fails a run: error, warning or
	// info.
	FailOn string `yaml:"failOn"`
	// Architecture is assumed for VMs that set none: amd64, arm64 or s390x.
	Architecture string `yaml:"architecture"`
	// MinBootSeconds is how long a guest is assumed to need to boot; it is
	// the same as rules.liveness-kills-before-boot.params.minBootSeconds,
	// which wins when both are set.
	MinBootSeconds int `yaml:"minBootSeconds"`
	// MaxDocumentBytes caps one YAML document: a number of bytes or a
	// Kubernetes quantity such as 8Mi.
	MaxDocumentBytes ByteSize `yaml:"maxDocumentBytes"`
	// Ignore lists globs of paths not to report, relative to the directory
	// of the file; ** matches any number of directories, and a pattern that
	// matches a directory ignores everything below it.
	Ignore []string `yaml:"ignore"`
	// Rules configures rules by ID.
	Rules map[string]Rule `yaml:"rules"`
}

// Rule configures one rule.
type Rule struct {
	// Enabled false turns the rule off.
	Enabled *bool `yaml:"enabled"`
	// Severity replaces the rule's own: error, warning or info.
	Severity string `yaml:"severity"`
	// Params sets the rule's parameters by name (vmhealth rules <id> lists
	// them), such as liveness-kills-before-boot's minBootSeconds.
	Params map[string]int `yaml:"params"`
}

// Config is a loaded configuration file.
type Config struct {
	File
	// Path is the file it was read from.
	Path string
	// Dir is the directory Ignore patterns are relative to: Path's.
	Dir string
}

// Find looks for FileName in dir and each of its parents, nearest first,
// and returns its path, or "" when there is none.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, FileName)
		info, err := os.Stat(p)
		switch {
		case err == nil && !info.IsDir():
			return p, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("looking for %s: %w", FileName, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Load reads and checks the configuration file at path against the rules
// of reg.
func Load(path string, reg *validate.Registry) (*Config, error) {
	data, err := validate.ReadInput(path, nil)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	c, err := Parse(path, data, reg)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	c.Dir = dir
	return c, nil
}

// Parse reads a configuration from data; name is used in errors. Rule IDs
// are checked against reg (nil means validate.DefaultRegistry). Dir is left
// empty: Ignore patterns are then relative to the working directory.
func Parse(name string, data []byte, reg *validate.Registry) (*Config, error) {
	if reg == nil {
		reg = validate.DefaultRegistry
	}
	f, pos, err := decode(name, data)
	if f == nil {
		return nil, err
	}
	if err := joinByLine(err, check(name, f, pos, reg), checkParams(name, f, pos, reg)); err != nil {
		return nil, err
	}
	return &Config{File: *f, Path: name}, nil
}

// Disabled returns the IDs of the rules turned off.
func (c *Config) Disabled() []string {
	var ids []string
	for id, r := range c.Rules {
		if r.Enabled != nil && !*r.Enabled {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// SeverityOverrides returns the rules whose severity is changed.
func (c *Config) SeverityOverrides() map[string]validate.Severity {
	out := map[string]validate.Severity{}
	for id, r := range c.Rules {
		if r.Severity == "" {
			continue
		}
		if s, err := validate.ParseSeverity(r.Severity); err == nil {
			out[id] = s
		}
	}
	return out
}

// RuleParams returns the rules' parameters, with MinBootSeconds as the
// parameter of the rule it sets.
func (c *Config) RuleParams() map[string]map[string]int {
	out := map[string]map[string]int{}
	for id, r := range c.Rules {
		if len(r.Params) > 0 {
			out[id] = maps.Clone(r.Params)
		}
	}
	if c.MinBootSeconds > 0 {
		id, name := validate.LivenessBootRuleID, validate.MinBootSecondsParam
		if _, set := out[id][name]; !set {
			if out[id] == nil {
				out[id] = map[string]int{}
			}
			out[id][name] = c.MinBootSeconds
		}
	}
	return out
}

// Ignored reports whether file matches an Ignore pattern: the path
// relative to Dir, or one of its parent directories. Standard input and
// files outside Dir are never ignored.
func (c *Config) Ignored(file string) bool {
	if len(c.Ignore) == 0 || file == "" || file == validate.StdinName {
		return false
	}
	rel := file
	if c.Dir != "" || filepath.IsAbs(file) {
		abs, err := filepath.Abs(file)
		if err != nil {
			return false
		}
		dir := c.Dir
		if dir == "" {
			if dir, err = filepath.Abs("."); err != nil {
				return false
			}
		}
		if rel, err = filepath.Rel(dir, abs); err != nil {
			return false
		}
	}
	rel = filepath.ToSlash(filepath.Clean(rel))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return false
	}
	for p := rel; p != "." && p != "/"; p = pathDir(p) {
		for _, pattern := range c.Ignore {
			if ok, _ := doublestar.Match(strings.TrimSuffix(pattern, "/"), p); ok {
				return true
			}
		}
	}
	return false
}

// pathDir is path.Dir for the slash-separated relative paths of Ignored.
func pathDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "."
	}
	return p[:i]
}
