package validate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/probespec"
)

// checkMessages are the rules that report what one of probespec's checks
// finds, worded as the check words its field error (which gen's refusals
// and library callers show), with the check's Message.
var checkMessages = map[string]*Message{
	"liveness-probe-paused":          probespec.PausedLivenessMessage,
	"probe-no-handler":               probespec.NoHandlerMessage,
	"watchdog-multiple-models":       probespec.MultipleModelsMessage,
	"probe-period-not-above-timeout": probespec.PeriodTimeoutMessage,
	"watchdog-model-architecture":    probespec.ModelArchMessage,
	"probe-port-not-forwarded":       probespec.NotForwardedMessage,
	"probe-multiple-handlers":        probespec.MultipleHandlersMessage,
	"probe-needs-pod-network":        probespec.NeedsPodNetworkMessage,
	"probe-host-set":                 probespec.HostSetMessage,
	"probe-named-port-undeclared":    probespec.NamedPortUndeclaredMessage,
}

// TestRulesUseCheckMessages: a rule that words its findings as a probespec
// check does makes its CEL form from that check's Message itself, not
// from a copy, and its findings on fail.yaml are that Message's words
// (TestRuleMessagesAgree checks them against From).
func TestRulesUseCheckMessages(t *testing.T) {
	for id, m := range checkMessages {
		r, ok := DefaultRegistry.Get(id)
		if !ok {
			t.Errorf("no rule %s", id)
			continue
		}
		if !r.InCluster() {
			t.Errorf("%s: no CEL form to compare", id)
			continue
		}
		for i, v := range r.CEL.Validations {
			if v.From != m {
				t.Errorf("%s: validation %d is not made from probespec's Message %q (CELFrom(probespec.…Message, …))", id, i, m.Static())
			}
		}
	}
}

// TestRuleWordsNotInProbespec: no rule's message has words that
// probespec writes out too, in a check's error detail of its own: the
// rule then uses the check's Message instead (checkMessages). probespec's
// own TestMessagesWrittenOnlyHere looks the other way, for its messages'
// words outside probespec.
func TestRuleWordsNotInProbespec(t *testing.T) {
	dir := filepath.Join("..", "probespec")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			sources[e.Name()] = string(data)
		}
	}
	if len(sources) < 5 {
		t.Fatalf("only %d Go files in %s", len(sources), dir)
	}
	checked := 0
	for _, r := range DefaultRegistry.Rules() {
		if r.CEL == nil {
			continue
		}
		for _, v := range r.CEL.Validations {
			if v.From == nil || v.From == checkMessages[r.ID] {
				continue
			}
			for _, words := range v.From.Literals() {
				if len(words) < minCopiedWords || probespecWords(words) {
					continue
				}
				checked++
				for name, src := range sources {
					if strings.Contains(src, words) {
						t.Errorf("%s: the words %q of its message are written in probespec/%s too; word the check with one Message and use it in the rule", r.ID, words, name)
					}
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d runs of words checked", checked)
	}
}

// minCopiedWords is the length from which a message's literal words found
// in a second place count as a copy of the message; shorter runs (" is
// not", "; add ") occur in unrelated messages.
const minCopiedWords = 24

// nestedMessages are probespec's messages that rules' messages hold as a
// part, not as the whole: their words are the rule's by right.
var nestedMessages = []*Message{probespec.QuotedPortMessage, probespec.ForwardReasonMessage}

// probespecWords reports whether words are one of the literal runs of a
// probespec Message the rules use.
func probespecWords(words string) bool {
	for _, m := range nestedMessages {
		if slices.Contains(m.Literals(), words) {
			return true
		}
	}
	for _, m := range checkMessages {
		if slices.Contains(m.Literals(), words) {
			return true
		}
	}
	return false
}
