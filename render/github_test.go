package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

func TestGitHubEscaping(t *testing.T) {
	tests := []struct {
		name, in, data, property string
	}{
		{name: "plain", in: "unknown-field", data: "unknown-field", property: "unknown-field"},
		{name: "percent first", in: "100%0A", data: "100%250A", property: "100%250A"},
		{name: "line breaks", in: "a\r\nb", data: "a%0D%0Ab", property: "a%0D%0Ab"},
		{name: "colon and comma only in properties", in: "a:b,c", data: "a:b,c", property: "a%3Ab%2Cc"},
		{name: "a forged command stays in its message", in: "x\n::error file=evil::boom", data: "x%0A::error file=evil::boom", property: "x%0A%3A%3Aerror file=evil%3A%3Aboom"},
		{name: "control characters", in: "a\x1b[31mb", data: `a\x1b[31mb`, property: `a\x1b[31mb`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeData(tt.in); got != tt.data {
				t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := escapeProperty(tt.in); got != tt.property {
				t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.property)
			}
		})
	}
}

// Each finding is exactly one line, a workflow command of its severity;
// suppressed findings are left out.
func TestGitHubCommands(t *testing.T) {
	var buf bytes.Buffer
	f := newGitHub(&buf, Options{Quiet: true})
	for _, fi := range sampleFindings() {
		if err := f.Write(fi); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	unsuppressed := 0
	for _, fi := range sampleFindings() {
		if fi.Suppressed == nil {
			unsuppressed++
		}
	}
	if len(lines) != unsuppressed {
		t.Fatalf("%d lines for %d unsuppressed findings:\n%s", len(lines), unsuppressed, buf.String())
	}
	want := map[validate.Severity]string{validate.SeverityError: "::error ", validate.SeverityWarning: "::warning ", validate.SeverityInfo: "::notice "}
	i := 0
	for _, fi := range sampleFindings() {
		if fi.Suppressed != nil {
			continue
		}
		if !strings.HasPrefix(lines[i], want[fi.Severity]) || !strings.Contains(lines[i], "title="+fi.RuleID+"::") {
			t.Errorf("line %d = %q, want a %s command titled %s", i, lines[i], fi.Severity, fi.RuleID)
		}
		i++
	}
	if !strings.Contains(lines[0], "file=examples/vm.yaml,line=31,col=9,") {
		t.Errorf("position properties missing: %q", lines[0])
	}
}
