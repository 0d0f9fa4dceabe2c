package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

func TestNewCmdRules(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantID  string
		wantErr string
	}{
		{name: "list", args: nil},
		{name: "one rule", args: []string{"unknown-field"}, wantID: "unknown-field"},
		{name: "typo", args: []string{"unknwn-field"}, wantErr: `unknown rule "unknwn-field"; did you mean "unknown-field"?`},
		{name: "far from any rule", args: []string{"watchdog"}, wantErr: `unknown rule "watchdog"; run 'vmhealth rules' to list them`},
		{name: "too many", args: []string{"a", "b"}, wantErr: "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			var got *RulesOptions
			cmd := NewCmdRules(f, func(o *RulesOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			if got.ID != tt.wantID {
				t.Errorf("ID = %q, want %q", got.ID, tt.wantID)
			}
		})
	}
}

func TestRulesRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		// wantRows are table rows, compared cell by cell.
		wantRows [][]string
		wantErr  []string
	}{
		{
			name:     "table of every rule",
			args:     []string{"rules"},
			wantCode: ExitOK,
			wantRows: [][]string{
				{"ID", "SEVERITY", "CATEGORY", "IN-CLUSTER", "SUMMARY"},
				{"test-warning", "warning", "best-practice", "no", "A warning for tests."},
				{"test-arch", "info", "best-practice", "no", "Reports the assumed architecture."},
			},
			wantOut: []string{"\nunknown-field ", "\nyaml-syntax "},
		},
		{
			name:     "one rule's documentation",
			args:     []string{"rules", "test-warning"},
			wantCode: ExitOK,
			wantOut: []string{
				"test-warning\n\nSeverity: warning\nCategory: best-practice\nIn-cluster: no.\n\nA warning for tests.\n\nFires on objects labelled test-warning.\n\nFix: Remove the label.\n",
				"vmhealth.io/ignore: test-warning",
			},
		},
		{
			name:     "unknown rule exits 2",
			args:     []string{"rules", "test-warnin"},
			wantCode: ExitError,
			wantErr:  []string{`vmhealth: unknown rule "test-warnin"; did you mean "test-warning"?`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			code, stdout, stderr := run(t, f, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q\nstdout:\n%s", s, stdout)
				}
			}
			for _, row := range tt.wantRows {
				if !hasRow(stdout, row) {
					t.Errorf("stdout lacks the row %q\nstdout:\n%s", row, stdout)
				}
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q\nstderr:\n%s", s, stderr)
				}
			}
		})
	}
}

func TestClosestRule(t *testing.T) {
	reg := validate.DefaultRegistry
	for in, want := range map[string]string{
		"unknwn-field": "unknown-field", "Unknown-Field": "unknown-field", "watchdog-actoin": "watchdog-action", "zzz": "",
	} {
		if got := closestRule(reg, in); got != want {
			t.Errorf("closestRule(%q) = %q, want %q", in, got, want)
		}
	}
}

// hasRow reports whether a line of the table has exactly the given cells,
// separated by two spaces or more.
func hasRow(table string, cells []string) bool {
	for _, line := range strings.Split(table, "\n") {
		if slices.Equal(splitCells(line), cells) {
			return true
		}
	}
	return false
}

func splitCells(line string) []string {
	var cells []string
	for _, c := range strings.Split(line, "  ") {
		if c = strings.TrimSpace(c); c != "" {
			cells = append(cells, c)
		}
	}
	return cells
}
