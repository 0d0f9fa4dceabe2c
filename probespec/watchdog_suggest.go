package probespec

import (
	"slices"
	"strings"
)

// watchdogActionSynonyms maps words people write for an action to the
// documented action that does it.
var watchdogActionSynonyms = map[string]string{
	"reboot":  "reset",
	"restart": "reset",
	"off":     "poweroff",
	"halt":    "poweroff",
}

// SuggestWatchdogAction returns the documented watchdog action that an
// unknown one most likely means — "PowerOff" and "power-off" mean
// "poweroff", "reboot" means "reset" — or "" when there is none. The
// comparison ignores case, '-', '_' and spaces.
func SuggestWatchdogAction(action string) string {
	n := NormalizeWatchdogAction(action)
	if slices.Contains(DocumentedWatchdogActions, n) {
		if n == action {
			return "" // nothing to suggest: it is documented already
		}
		return n
	}
	return watchdogActionSynonyms[n]
}

// NormalizeWatchdogAction lowercases action and drops '-', '_' and
// spaces, the form SuggestWatchdogAction compares.
func NormalizeWatchdogAction(action string) string {
	return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(action))
}

// WatchdogActionSynonyms returns a copy of the words SuggestWatchdogAction
// maps onto a documented action, for tools that must word the same
// suggestion (the admission policy's CEL).
func WatchdogActionSynonyms() map[string]string {
	out := make(map[string]string, len(watchdogActionSynonyms))
	for k, v := range watchdogActionSynonyms {
		out[k] = v
	}
	return out
}
