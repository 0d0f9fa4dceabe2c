package probespec

import "testing"

func TestSuggestWatchdogAction(t *testing.T) {
	tests := []struct{ in, want string }{
		{"PowerOff", "poweroff"},
		{"power-off", "poweroff"},
		{"Reset", "reset"},
		{"reboot", "reset"},
		{"SHUTDOWN", "shutdown"},
		{"reset", ""},
		{"explode", ""},
		{"pause", ""},
	}
	for _, tt := range tests {
		if got := SuggestWatchdogAction(tt.in); got != tt.want {
			t.Errorf("SuggestWatchdogAction(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
