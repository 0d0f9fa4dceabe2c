// Command vmhealth checks the health checks of KubeVirt virtual machines.
// See docs/cli.md, or run vmhealth --help.
package main

import (
	"os"

	"github.com/vmhealth/vmhealth/internal/cli"
)

func main() { os.Exit(cli.Main()) }
