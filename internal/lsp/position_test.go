package lsp

import (
	"strings"
	"testing"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/vmhealth/vmhealth/validate"
)

// TestFindingRange holds the conversion from the linter's 1-based rune
// columns to LSP's 0-based UTF-16 ones, and the end of each kind of token.
func TestFindingRange(t *testing.T) {
	for _, tc := range []struct {
		name      string
		text      string
		line, col int
		want      protocol.Range
	}{
		{"plain key", "a: 1\n  periodSecond: 5\n", 2, 3, rng(1, 2, 1, 14)},
		{"value with comment", "action: Reset # no\n", 1, 9, rng(0, 8, 0, 13)},
		{"double quoted", `port: "8080" # x` + "\n", 1, 7, rng(0, 6, 0, 12)},
		{"single quoted with ''", "a: 'it''s' b\n", 1, 4, rng(0, 3, 0, 10)},
		{"flow mapping", "masquerade: {} # x\n", 1, 13, rng(0, 12, 0, 14)},
		{"flow item", `{"port": 80, "scheme": "https"}`, 1, 24, rng(0, 23, 0, 30)},
		{"plain scalar with comma in block", "msg: a, b\n", 1, 6, rng(0, 5, 0, 9)},
		// U+1F642 is one rune, two UTF-16 code units; é is one of each.
		{"after an emoji", "n: {x: \U0001F642, periodSecond: 5}\n", 1, 11, rng(0, 11, 0, 23)},
		{"after é", "é: {periodSecond: 5}\n", 1, 5, rng(0, 4, 0, 16)},
		{"CRLF", "a: 1\r\nkey: v\r\n", 2, 1, rng(1, 0, 1, 3)},
		{"no position", "a: 1\n", 0, 0, rng(0, 0, 0, 0)},
		{"past the end", "a: 1\n", 9, 1, rng(1, 0, 1, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := findingRange(tc.text, validate.Finding{Line: tc.line, Column: tc.col})
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestOffsetRoundTrip holds that positionOf and offsetOf agree on every
// character boundary of a text with multi-unit characters.
func TestOffsetRoundTrip(t *testing.T) {
	text := "a: \U0001F642é\r\nb: x\n\nc: 日本\n"
	for off := range text {
		p := positionOf(text, off)
		if back := offsetOf(text, p); back != off && !(text[off] == '\r' || text[off] == '\n') {
			t.Errorf("offset %d → %+v → %d", off, p, back)
		}
	}
	if p := positionOf(text, strings.Index(text, "é")); p != (protocol.Position{Line: 0, Character: 5}) {
		t.Errorf("é at %+v, want 0:5 (the emoji is two code units)", p)
	}
}

// TestBlockPath holds the indentation reading completion relies on,
// kubectl's compact lists and indented lists both.
func TestBlockPath(t *testing.T) {
	doc := strings.Split(`spec:
  template:
    spec:
      domain:
        devices:
          interfaces:
          - name: default
            masquerade: {}
            ports:
              - port: 80
                name: http
      readinessProbe:
        httpGet:
          port: 80

`, "\n")
	for _, tc := range []struct {
		line, col int
		dash      int
		want      string
	}{
		{7, 12, -1, "spec.template.spec.domain.devices.interfaces[0]"},
		{10, 16, -1, "spec.template.spec.domain.devices.interfaces[0].ports[0]"},
		{13, 10, -1, "spec.template.spec.readinessProbe.httpGet"},
		{14, 8, -1, "spec.template.spec.readinessProbe"},
		{14, 2, -1, "spec"},
		{14, 0, -1, ""},
		{9, 16, 14, "spec.template.spec.domain.devices.interfaces[0].ports[0]"},
		// A new item after an item of two keys: the second key is not the
		// list's owner.
		{11, 16, 14, "spec.template.spec.domain.devices.interfaces[0].ports[0]"},
	} {
		if got := joinPath(names(blockPath(doc, tc.line, tc.col, tc.dash))); got != tc.want {
			t.Errorf("line %d col %d: %q, want %q", tc.line, tc.col, got, tc.want)
		}
	}
}
