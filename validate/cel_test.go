package validate

import (
	"strings"
	"testing"
)

// TestRulesDeclareCEL checks that every error-level rule either has a CEL
// form, which `vmhealth policy` enforces in a cluster, or says why it has
// none; and that a CEL form is complete. Whether the expressions compile
// and agree with the Go checks is tested in package policy and
// test/policy.
func TestRulesDeclareCEL(t *testing.T) {
	for _, r := range DefaultRegistry.Rules() {
		t.Run(r.ID, func(t *testing.T) {
			if r.CEL == nil {
				if r.Severity == SeverityError {
					t.Fatalf("error-level rule %s has neither a CEL form nor NoCEL saying why it cannot have one", r.ID)
				}
				return
			}
			if (len(r.CEL.Validations) == 0) == (r.CEL.NoCEL == "") {
				t.Fatalf("rule %s must have either Validations or NoCEL, not both or neither", r.ID)
			}
			if r.CEL.NoCEL != "" && !strings.HasSuffix(r.CEL.NoCEL, ".") {
				t.Errorf("NoCEL of %s should be a sentence ending in a period: %q", r.ID, r.CEL.NoCEL)
			}
			for i, v := range r.CEL.Validations {
				switch v.Scope {
				case "", CELScopeSpec, CELScopeProbe, CELScopeLivenessProbe, CELScopeNetworkHandler:
				default:
					t.Errorf("validation %d: unknown scope %q", i, v.Scope)
				}
				if strings.TrimSpace(v.Expression) == "" || strings.TrimSpace(v.Message) == "" {
					t.Errorf("validation %d: needs an Expression and a Message", i)
				}
				if v.FieldExpression != "" && v.Field == "" {
					t.Errorf("validation %d: FieldExpression needs a Field for the static message", i)
				}
				if strings.Contains(v.Message, "\n") {
					t.Errorf("validation %d: the API server drops messages with line breaks", i)
				}
			}
		})
	}
}

func TestCELSnippets(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"celIn", celIn("x", []string{""}, []string{"a", "b"}), "x in ['', 'a', 'b']"},
		{"celDefaulted", celDefaulted("periodSeconds", 10), "(probe.?periodSeconds.orValue(0) >= 1 ? probe.periodSeconds : 10)"},
		{"celIsTCP", celIsTCP("p"), "(p.?protocol.orValue('') == '' || p.protocol.lowerAscii() == 'tcp')"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}
}
