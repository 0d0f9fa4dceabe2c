package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/config"
	"github.com/vmhealth/vmhealth/internal/lsp"
	"github.com/vmhealth/vmhealth/validate"
)

// LspOptions hold the dependencies and flags of lsp.
type LspOptions struct {
	IO *IOStreams
	// Version is what the server reports as its own.
	Version string
	// linterConfig holds --config and --no-config (linter.go).
	linterConfig
}

// NewCmdLsp builds the lsp command. runF replaces lspRun in tests.
func NewCmdLsp(f *Factory, runF func(*LspOptions) error) *cobra.Command {
	opts := &LspOptions{IO: f.IOStreams, Version: readBuild(f.BuildInfo).version, linterConfig: linterConfig{Registry: f.Registry}}
	cmd := &cobra.Command{
		Use:   "lsp",
		Short: "Run the language server: lint findings, fixes and explanations in your editor",
		Long: `Run vmhealth's language server over standard input and output, for an
editor to start. For every open YAML or JSON file that holds a KubeVirt
object it publishes lint's findings as diagnostics when the file is opened
and on every change, each over the key or value it is about, with the rule
as its code and a link to the rule's documentation; offers the certain
fixes of lint --fix as code actions (one finding at a time, or all); shows
on a probe or watchdog key what explain computes (the delays the kubelet
really uses, when the VM is Ready at the soonest, how long a hung guest
goes unnoticed); and completes field names and the values of a probe's
scheme and a watchdog's action. Other files, and Helm or Go templates
({{ }}: lint the chart instead), get nothing.

Each file is linted with the .vmhealth.yaml that lint would use for it:
the nearest one in the file's directory or above (not the editor's
working directory), read again when it changes; --config names one file
for all, --no-config reads none. An ignored file gets no diagnostics.

Editor setup (Neovim, VS Code, Helix, Emacs): docs/lsp.md.

Exit status: 0 after the client's shutdown and exit; 1 when the client
exits without shutdown or closes the stream; 2 when the stream breaks.`,
		Example: `  # Editors start it themselves; this is the command to give them
  vmhealth lsp

  # The same settings for every file, whatever directory it is in
  vmhealth lsp --config ~/vmhealth.yaml

  # Neovim 0.11 (init.lua)
  vim.lsp.config('vmhealth', { cmd = { 'vmhealth', 'lsp' }, filetypes = { 'yaml', 'json' } })
  vim.lsp.enable('vmhealth')`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.ConfigPath != "" || opts.NoConfig {
				if err := opts.completeLinter(cmd); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return lspRun(opts)
		},
	}
	addConfigFlags(cmd, &opts.linterConfig, "configuration file for every document")
	// Not the working directory's: each document's own nearest file.
	cmd.Flags().Lookup(flagConfig).Usage = "configuration file for every document (default: the " + config.FileName + " nearest to each document, in its directory or above)"
	return cmd
}

func lspRun(opts *LspOptions) error {
	srv, err := lsp.New(lsp.Options{Linter: newLspLinters(&opts.linterConfig).get, Version: opts.Version, Log: opts.IO.ErrOut})
	if err != nil {
		return err
	}
	// lsp.ErrExitWithoutShutdown becomes exit code 1 (handleError).
	return srv.Serve(opts.IO.In, opts.IO.Out)
}

// lspLinters builds and keeps one Linter per configuration file, so that
// each document is linted as lint would lint it from its own directory.
type lspLinters struct {
	base *linterConfig
	mu   sync.Mutex
	// byFile holds, by configuration file path ("" for none), the Linter
	// and the file's modification time and size when it was read.
	byFile map[string]*lspLinter
}

type lspLinter struct {
	mod    time.Time
	size   int64
	linter *validate.Linter
	config *config.Config
}

func newLspLinters(base *linterConfig) *lspLinters {
	return &lspLinters{base: base, byFile: map[string]*lspLinter{}}
}

// get is the server's LinterFunc.
func (ls *lspLinters) get(path string) (*validate.Linter, bool, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	cfgPath := ""
	switch {
	case ls.base.NoConfig:
	case ls.base.ConfigPath != "":
		cfgPath = ls.base.ConfigPath
	default:
		dir := filepath.Dir(path)
		if path == "" {
			wd, err := os.Getwd()
			if err != nil {
				return nil, false, err
			}
			dir = wd
		}
		p, err := config.Find(dir)
		if err != nil {
			return nil, false, err
		}
		cfgPath = p
	}
	var mod time.Time
	var size int64
	if cfgPath != "" {
		st, err := os.Stat(cfgPath)
		if err != nil {
			return nil, false, fmt.Errorf("reading %s: %w", cfgPath, err)
		}
		mod, size = st.ModTime(), st.Size()
	}
	l := ls.byFile[cfgPath]
	if l == nil || !l.mod.Equal(mod) || l.size != size {
		var err error
		if l, err = ls.build(cfgPath); err != nil {
			return nil, false, err
		}
		l.mod, l.size = mod, size
		ls.byFile[cfgPath] = l
	}
	ignored := l.config != nil && path != "" && l.config.Ignored(path)
	return l.linter, ignored, nil
}

// build reads the configuration file at cfgPath (none when empty) and
// builds its Linter as every linting command does.
func (ls *lspLinters) build(cfgPath string) (*lspLinter, error) {
	lc := linterConfig{Registry: ls.base.Registry, Disable: ls.base.Disable}
	if lc.Registry == nil {
		lc.Registry = validate.DefaultRegistry
	}
	if cfgPath != "" {
		c, err := config.Load(cfgPath, lc.Registry)
		if err != nil {
			return nil, err
		}
		lc.Config, lc.SeverityOverrides = c, c.SeverityOverrides()
	}
	linter, err := lc.newLinter(func(o *validate.Options) {
		if lc.Config != nil && lc.Config.MaxDocumentBytes > 0 {
			o.MaxDocumentBytes = int64(lc.Config.MaxDocumentBytes)
		}
	})
	if err != nil {
		return nil, err
	}
	return &lspLinter{linter: linter, config: lc.Config}, nil
}
