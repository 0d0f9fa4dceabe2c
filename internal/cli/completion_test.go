package cli

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// completeArgs runs cobra's hidden __complete, as the completion scripts do
// on TAB, and returns the completions and the directive line (":4" is
// ShellCompDirectiveNoFileComp, ":8" ShellCompDirectiveFilterFileExt).
func completeArgs(t *testing.T, args ...string) (values []string, directive string) {
	t.Helper()
	f, _, _, _ := testFactory(t)
	code, stdout, stderr := run(t, f, append([]string{"__complete"}, args...)...)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if code != ExitOK || len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], ":") {
		t.Fatalf("__complete %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// Every flag with a fixed set of values completes exactly the values its
// error message lists, so that completion cannot fall behind the flag.
func TestEnumFlagCompletions(t *testing.T) {
	oneOf := regexp.MustCompile(`\(one of: ([^)]*)\)`)
	for _, tt := range []struct {
		cmd, flag string
		// rest makes the command line valid but for the flag.
		rest []string
	}{
		{"lint", "arch", []string{"vm.yaml"}},
		{"lint", "fail-on", []string{"vm.yaml"}},
		{"lint", "output", []string{"vm.yaml"}},
		{"explain", "output", []string{"vm.yaml"}},
		{"explain", "arch", []string{"vm.yaml"}},
		{"gen", "output", []string{"--watchdog", "reset"}},
		{"gen", "for", []string{"--watchdog", "reset"}},
		{"gen", "arch", []string{"--watchdog", "reset"}},
		{"gen", "guest-os", []string{"--watchdog", "reset"}},
		{"policy", "output", nil},
		{"policy", "arch", nil},
		{"probe", "output", []string{"vm.yaml"}},
		{"probe", "probe", []string{"vm.yaml"}},
		{"apply", "kind", []string{"a", "--from", "s"}},
		{"apply", "strategy", []string{"a", "--from", "s"}},
		{"apply", "dry-run", []string{"a", "--from", "s"}},
		{"apply", "arch", []string{"a", "--from", "s"}},
		{"rules", "output", nil},
		{"version", "output", nil},
	} {
		t.Run(tt.cmd+" --"+tt.flag, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			// --flag=value: --dry-run alone means server.
			args := append([]string{tt.cmd, "--" + tt.flag + "=no-such-value"}, tt.rest...)
			if !slices.Contains([]string{"rules", "probe", "version"}, tt.cmd) {
				args = append(args, "--no-config")
			}
			code, _, stderr := run(t, f, args...)
			m := oneOf.FindStringSubmatch(stderr)
			if code != ExitError || m == nil {
				t.Fatalf("%s: exit %d, no list of values in:\n%s", strings.Join(args, " "), code, stderr)
			}
			want := strings.Split(m[1], ", ")
			// The --flag= form, which also completes a flag that may stand
			// alone (--dry-run).
			got, directive := completeArgs(t, tt.cmd, "--"+tt.flag+"=")
			if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
				t.Errorf("--%s completes %q; its error lists %q", tt.flag, got, want)
			}
			if directive != ":4" {
				t.Errorf("--%s: directive %s, want :4 (no files)", tt.flag, directive)
			}
		})
	}
}

// The flags #13 added complete as what they take: files of the right
// kind for -f and --values, nothing (not the directory's files) for the
// free-form chart flags, the shells for completion.
func TestFlagCompletions(t *testing.T) {
	for _, tt := range []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"lint", "-f", ""}, []string{"yaml", "yml", "json"}, ":8"},
		{[]string{"explain", "--filename", ""}, []string{"yaml", "yml", "json"}, ":8"},
		{[]string{"apply", "-f", ""}, []string{"yaml", "yml", "json"}, ":8"},
		{[]string{"lint", "--values", ""}, []string{"yaml", "yml"}, ":8"},
		{[]string{"lint", "--set", ""}, nil, ":4"},
		{[]string{"lint", "--release-name", ""}, nil, ":4"},
		{[]string{"lint", "--kube-version", ""}, nil, ":4"},
		{[]string{"completion", ""}, []string{"bash", "fish", "powershell", "zsh"}, ":4"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, directive := completeArgs(t, tt.args...)
			// Commands' completions carry a description after a tab.
			for i, g := range got {
				got[i], _, _ = strings.Cut(g, "\t")
			}
			if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tt.want))) || directive != tt.directive {
				t.Errorf("completions %q %s, want %q %s", got, directive, tt.want, tt.directive)
			}
		})
	}
}
