package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vmhealth/vmhealth/render"
)

// docs/cli.md is written by hand; this keeps it from falling behind the
// commands, flags and formats that exist.
func TestCLIDocCoversCommandsFlagsAndFormats(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	f, _, _, _ := testFactory(t)
	root := NewCmdRoot(f)
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" {
			continue
		}
		if !strings.Contains(text, "## vmhealth "+c.Name()) {
			t.Errorf("docs/cli.md has no section for %q", c.CommandPath())
		}
		eachFlag(c, func(fl *pflag.Flag) {
			if !strings.Contains(text, "`--"+fl.Name+"`") {
				t.Errorf("docs/cli.md does not describe %s --%s", c.CommandPath(), fl.Name)
			}
		})
	}
	for _, name := range render.Formats() {
		if !strings.Contains(text, "`"+name+"`") {
			t.Errorf("docs/cli.md does not mention the %q output format", name)
		}
	}
}

func eachFlag(c *cobra.Command, fn func(*pflag.Flag)) {
	c.LocalNonPersistentFlags().VisitAll(func(fl *pflag.Flag) {
		if fl.Name != "help" {
			fn(fl)
		}
	})
}
