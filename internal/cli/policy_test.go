package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/vmhealth/vmhealth/validate"
)

// policyRules are the real rules the policy tests enforce, added to the
// test registry.
var policyRules = []string{"liveness-success-threshold", "probe-port-range", "watchdog-action"}

// policyFactory is testFactory with policyRules, and, when broken is set,
// a rule whose CEL does not compile.
func policyFactory(t *testing.T, broken bool) *Factory {
	t.Helper()
	f, _, _, _ := testFactory(t)
	for _, id := range policyRules {
		r, ok := validate.DefaultRegistry.Get(id)
		if !ok {
			t.Fatalf("rule %s is not registered", id)
		}
		if err := f.Registry.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	if broken {
		err := f.Registry.Register(&validate.Rule{ID: "test-broken", Severity: validate.SeverityError, Category: validate.CategoryRuntime,
			Summary: "Broken CEL.", Description: "For tests.", Remediation: "None.",
			CEL: &validate.CELRule{Validations: []validate.CELValidation{{
				Scope: validate.CELScopeLivenessProbe, Expression: "probe.successThreshold <=", Message: "m",
			}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestNewCmdPolicy(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		config  string
		check   func(t *testing.T, o *PolicyOptions)
		wantErr string
	}{
		{
			name: "defaults",
			check: func(t *testing.T, o *PolicyOptions) {
				p := o.Policy
				if o.Output != "yaml" || p.Name != "vmhealth" || p.Architecture != "amd64" || len(p.Rules) != 0 ||
					!slices.Equal(p.Actions, []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny}) ||
					p.NamespaceSelector != nil || p.NoIgnoreAnnotation || o.Check || p.Registry != o.Registry {
					t.Errorf("options %+v", o)
				}
			},
		},
		{
			name: "every flag",
			args: []string{"--rules", "watchdog-action,probe-port-range", "--action", "warn,audit", "--namespace-selector", "env in (a,b),!legacy",
				"--name", "kv", "--arch", "s390x", "-o", "json", "--check", "--crds", "crds", "--no-ignore-annotation"},
			check: func(t *testing.T, o *PolicyOptions) {
				p := o.Policy
				if !slices.Equal(p.Rules, []string{"watchdog-action", "probe-port-range"}) || p.Name != "kv" || p.Architecture != "s390x" ||
					o.Output != "json" || !o.Check || o.CRDs != "crds" || !p.NoIgnoreAnnotation ||
					!slices.Equal(p.Actions, []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn, admissionregistrationv1.Audit}) {
					t.Errorf("options %+v", o)
				}
				if sel := p.NamespaceSelector; sel == nil || len(sel.MatchExpressions) != 2 {
					t.Errorf("selector %+v", sel)
				}
			},
		},
		{
			name:   "configuration file",
			config: "architecture: arm64\nrules:\n  watchdog-action:\n    enabled: false\n  probe-port-range:\n    severity: warning\n",
			check: func(t *testing.T, o *PolicyOptions) {
				p := o.Policy
				if p.Architecture != "arm64" || !p.Disabled["watchdog-action"] || p.SeverityOverrides["probe-port-range"] != validate.SeverityWarning {
					t.Errorf("options %+v", p)
				}
			},
		},
		{
			name:   "a flag wins over the configuration file",
			config: "architecture: arm64\n",
			args:   []string{"--arch", "amd64"},
			check: func(t *testing.T, o *PolicyOptions) {
				if o.Policy.Architecture != "amd64" {
					t.Errorf("arch %s", o.Policy.Architecture)
				}
			},
		},
		{
			name:   "--no-config",
			config: "architecture: arm64\n",
			args:   []string{"--no-config"},
			check: func(t *testing.T, o *PolicyOptions) {
				if o.Config != nil || o.Policy.Architecture != "amd64" {
					t.Errorf("read the configuration file anyway: %+v", o.Policy)
				}
			},
		},
		{name: "unknown rule", args: []string{"--rules", "watchdog-actoin"}, wantErr: `--rules: unknown rule "watchdog-actoin"; did you mean "watchdog-action"?`},
		{name: "rule without CEL", args: []string{"--rules", "unknown-field"}, wantErr: "--rules: rule unknown-field cannot be enforced in a cluster: The CRD schema declares every field"},
		{name: "Deny with Warn", args: []string{"--action", "Deny,Warn"}, wantErr: "invalid --action: actions Deny and Warn cannot be combined"},
		{name: "unknown action", args: []string{"--action", "Reject"}, wantErr: `invalid --action: unknown action "Reject"`},
		{name: "bad selector", args: []string{"--namespace-selector", "env in a"}, wantErr: "invalid --namespace-selector"},
		{name: "bad output", args: []string{"-o", "xml"}, wantErr: `invalid --output "xml" (one of: yaml, json)`},
		{name: "bad arch", args: []string{"--arch", "sparc"}, wantErr: `invalid --arch "sparc"`},
		{name: "--crds without --check", args: []string{"--crds", "dir"}, wantErr: "--crds needs --check"},
		{name: "arguments", args: []string{"vm.yaml"}, wantErr: `unknown command "vm.yaml"`},
		{name: "bad configuration file", config: "rules:\n  no-such-rule:\n    enabled: false\n", wantErr: "no-such-rule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.config != "" {
				writeFiles(t, dir, map[string]string{".vmhealth.yaml": tt.config})
			}
			inDir(t, dir)
			f := policyFactory(t, false)
			var got *PolicyOptions
			cmd := NewCmdPolicy(f, func(o *PolicyOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			tt.check(t, got)
		})
	}
}

func TestPolicyRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		broken   bool
		wantCode int
		wantOut  []string
		notOut   []string
		wantErr  []string
		noOut    bool
	}{
		{
			name: "YAML", wantCode: ExitOK,
			wantOut: []string{
				"# ValidatingAdmissionPolicies written by vmhealth", "#   liveness-success-threshold\n#   probe-port-range\n#   watchdog-action\n---\n",
				"kind: ValidatingAdmissionPolicy\n", "kind: ValidatingAdmissionPolicyBinding\n", "name: vmhealth-virtualmachinepools\n",
				"validationActions:\n  - Deny\n", "[liveness-success-threshold] spec.template.spec.livenessProbe.successThreshold:",
			},
		},
		{
			name: "JSON", args: []string{"-o", "json", "--action", "Warn", "--name", "kv"}, wantCode: ExitOK,
			wantOut: []string{`"kind": "List"`, `"name": "kv-virtualmachineinstances"`, `"Warn"`},
		},
		{
			name: "one rule", args: []string{"--rules", "watchdog-action"}, wantCode: ExitOK,
			wantOut: []string{"vmhealth.io/rules: watchdog-action\n"},
			notOut:  []string{"[liveness-success-threshold]"},
		},
		{
			name: "--check", args: []string{"--check"}, wantCode: ExitOK,
			wantOut: []string{"kind: ValidatingAdmissionPolicy\n"},
			wantErr: []string{"expressions of 3 rules in 4 policies compiled with the CEL of Kubernetes 1.30\n"},
		},
		{
			name: "--check with CRDs", args: []string{"--check", "--crds", "../../testdata/crds"}, wantCode: ExitOK,
			wantErr: []string{"compiled with the CEL of Kubernetes 1.30 and type-checked against the CRDs in ../../testdata/crds\n"},
		},
		{
			name: "--check names the broken rule", args: []string{"--check"}, broken: true, wantCode: ExitFindings, noOut: true,
			wantErr: []string{
				"vmhealth: vmhealth-virtualmachines: spec.validations[5].expression (from rule test-broken): compilation failed: ERROR: <input>:",
				"Syntax error",
				"vmhealth: 4 expressions failed to compile; nothing written\n",
			},
		},
		{
			name: "without --check a broken rule is written", broken: true, wantCode: ExitOK,
			wantOut: []string{"[test-broken]"},
		},
		{
			name: "--crds that do not exist", args: []string{"--check", "--crds", "no-such-dir"}, wantCode: ExitError, noOut: true,
			wantErr: []string{"vmhealth: --crds: open no-such-dir"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := policyFactory(t, tt.broken)
			code, stdout, stderr := run(t, f, append([]string{"policy", "--no-config"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstderr:\n%s", code, tt.wantCode, stderr)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q", s)
				}
			}
			for _, s := range tt.notOut {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout has %q", s)
				}
			}
			if tt.noOut && stdout != "" {
				t.Errorf("stdout is not empty:\n%.300s", stdout)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q\nstderr:\n%s", s, stderr)
				}
			}
			if strings.Contains(strings.Join(tt.args, " "), "json") {
				var v map[string]any
				if err := json.Unmarshal([]byte(stdout), &v); err != nil {
					t.Errorf("not JSON: %v", err)
				}
			}
		})
	}
}
