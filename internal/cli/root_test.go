package cli

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionRun(t *testing.T) {
	tests := []struct {
		name    string
		ldflag  string
		info    *debug.BuildInfo
		wantOut string
	}{
		{
			name:    "no build info",
			wantOut: "vmhealth devel\ngo: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\nkubevirt.io/api: unknown\n",
		},
		{
			name: "go install of a release",
			info: &debug.BuildInfo{
				Main: debug.Module{Path: "github.com/vmhealth/vmhealth", Version: "v0.3.1"},
				Deps: []*debug.Module{{Path: "k8s.io/api", Version: "v0.37.2"}, {Path: "kubevirt.io/api", Version: "v1.9.0"}},
				Settings: []debug.BuildSetting{
					{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"},
				},
			},
			wantOut: "vmhealth v0.3.1\ngo: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH +
				"\nkubevirt.io/api: v1.9.0\ncommit: 0123abcd (modified)\n",
		},
		{
			name:   "ldflags win over build info",
			ldflag: "v1.0.0-rc.1",
			info: &debug.BuildInfo{
				Main: debug.Module{Version: "(devel)"},
				Deps: []*debug.Module{{Path: "kubevirt.io/api", Version: "v1.9.0", Replace: &debug.Module{Path: "../api", Version: "v1.10.0-dev"}}},
			},
			wantOut: "vmhealth v1.0.0-rc.1\ngo: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH +
				"\nkubevirt.io/api: v1.10.0-dev (replaces v1.9.0)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := version
			version = tt.ldflag
			t.Cleanup(func() { version = old })
			f, _, _, _ := testFactory(t)
			f.BuildInfo = func() (*debug.BuildInfo, bool) { return tt.info, tt.info != nil }
			code, stdout, _ := run(t, f, "version")
			if code != ExitOK {
				t.Errorf("exit code = %d", code)
			}
			if stdout != tt.wantOut {
				t.Errorf("stdout =\n%q\nwant\n%q", stdout, tt.wantOut)
			}
		})
	}
}

func TestRoot(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "help", args: []string{"--help"}, wantCode: ExitOK, wantOut: "Available Commands:"},
		{name: "version flag", args: []string{"--version"}, wantCode: ExitOK, wantOut: "vmhealth devel\n"},
		{name: "unknown command", args: []string{"lnt"}, wantCode: ExitError, wantErr: `unknown command "lnt"`},
		{name: "unknown root flag", args: []string{"--verbose"}, wantCode: ExitError, wantErr: "unknown flag: --verbose"},
		{name: "version takes no args", args: []string{"version", "x"}, wantCode: ExitError, wantErr: "unknown command"},
		{name: "bash completion", args: []string{"completion", "bash"}, wantCode: ExitOK, wantOut: "bash completion"},
		{name: "zsh completion", args: []string{"completion", "zsh"}, wantCode: ExitOK, wantOut: "#compdef vmhealth"},
		{name: "fish completion", args: []string{"completion", "fish"}, wantCode: ExitOK, wantOut: "complete -c vmhealth"},
		{name: "powershell completion", args: []string{"completion", "powershell"}, wantCode: ExitOK, wantOut: "Register-ArgumentCompleter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			code, stdout, stderr := run(t, f, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstderr: %s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, stdout)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, stderr)
			}
		})
	}
}

// Every command shows real examples in its help.
func TestEveryCommandHasExamples(t *testing.T) {
	f, _, _, _ := testFactory(t)
	root := NewCmdRoot(f)
	cmds := append(root.Commands(), root)
	for _, c := range cmds {
		if c.Name() == "help" {
			continue
		}
		if !strings.Contains(c.Example, "vmhealth") {
			t.Errorf("%q has no examples", c.CommandPath())
		}
	}
}
