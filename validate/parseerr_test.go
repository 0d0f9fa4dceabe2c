package validate

import (
	"errors"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

func TestParseErrorPosition(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
	}{
		{"scanner error", "a: 1\nb: c: d\n", 2, 1},
		{"unclosed flow sequence", "a: 1\nb: 2\nc: 3\nname: [unclosed\n", 4, 1},
		{"bad indentation", "spec:\n  a: 1\n b: 2\n", 3, 2},
		{"tab indentation", "spec:\n\ta: 1\n", 2, 1},
		{"control character", "a: 1\nb: x\x01y\n", 2, 5},
		{"invalid UTF-8", "a: 1\nbb: \xff\n", 2, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n yaml.Node
			err := yaml.Unmarshal([]byte(tc.in), &n)
			if err == nil {
				t.Fatal("no parse error")
			}
			line, col, msg := parseErrorPosition(err, []byte(tc.in))
			if line != tc.line || col != tc.col {
				t.Errorf("position %d:%d (%s), want %d:%d", line, col, msg, tc.line, tc.col)
			}
		})
	}
	if line, col, _ := parseErrorPosition(errors.New("yaml: line 99: did not find expected key"), []byte("a\nb\n")); line != 3 || col != 1 {
		t.Errorf("a line past the end is clamped: %d:%d", line, col)
	}
}
