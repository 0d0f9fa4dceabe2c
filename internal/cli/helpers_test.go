package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/validate"
)

// inputRules are the rules these tests may rely on: the input rules, whose
// findings the loader and decoder produce. Rules that others add to
// DefaultRegistry are left out, so they cannot change what these tests see.
var inputRules = []string{
	validate.YAMLSyntaxRuleID,
	validate.UnknownFieldRuleID,
	validate.DuplicateKeyRuleID,
	validate.InvalidTypeRuleID,
	validate.TemplateParameterRuleID,
	validate.APIVersionRuleID,
}

// testRegistry holds the input rules and two rules of the tests' own: a
// warning for objects labelled test-warning, and an info finding that
// reports the architecture lint was told to assume, for objects labelled
// test-arch.
func testRegistry(t *testing.T) *validate.Registry {
	t.Helper()
	reg := validate.NewRegistry()
	for _, id := range inputRules {
		r, ok := validate.DefaultRegistry.Get(id)
		if !ok {
			t.Fatalf("input rule %s is not registered", id)
		}
		if err := reg.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*validate.Rule{
		{
			ID: "test-warning", Severity: validate.SeverityWarning, Category: validate.CategoryBestPractice,
			Summary: "A warning for tests.", Description: "Fires on objects labelled test-warning.", Remediation: "Remove the label.",
			Check: func(o *validate.Object, _ validate.Params) field.ErrorList {
				if _, ok := o.Meta.Labels["test-warning"]; !ok {
					return nil
				}
				return field.ErrorList{field.Invalid(field.NewPath("metadata", "labels", "test-warning"), "", "test warning")}
			},
		},
		{
			ID: "test-arch", Severity: validate.SeverityInfo, Category: validate.CategoryBestPractice,
			Summary: "Reports the assumed architecture.", Description: "Fires on objects labelled test-arch.", Remediation: "None.",
			Check: func(o *validate.Object, p validate.Params) field.ErrorList {
				if _, ok := o.Meta.Labels["test-arch"]; !ok {
					return nil
				}
				return field.ErrorList{field.Invalid(field.NewPath("metadata", "labels", "test-arch"), "", "arch="+p.Architecture)}
			},
		},
	} {
		if err := reg.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// testFactory returns a factory over buffers with the test registry and an
// empty environment, and the buffers.
func testFactory(t *testing.T) (f *Factory, stdin, stdout, stderr *bytes.Buffer) {
	ios, stdin, stdout, stderr := Test()
	f = &Factory{
		IOStreams: ios,
		Getenv:    func(string) string { return "" },
		Registry:  testRegistry(t),
		BuildInfo: func() (*debug.BuildInfo, bool) { return nil, false },
	}
	return f, stdin, stdout, stderr
}

// run runs the CLI in-process and returns the exit code and output.
func run(t *testing.T, f *Factory, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	out, errOut := f.IOStreams.Out.(*bytes.Buffer), f.IOStreams.ErrOut.(*bytes.Buffer)
	code = Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

// writeFiles creates files under dir from a map of slash-separated relative
// paths to contents.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// vm returns a small VirtualMachine manifest with extra lines added to its
// metadata (labels, annotations) and to the VMI spec.
func vm(name, metadata, spec string) string {
	return `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: ` + name + `
  namespace: demo
` + metadata + `spec:
  runStrategy: Always
  template:
    spec:
      domain:
        memory:
          guest: 1Gi
        devices: {}
` + spec
}

const (
	// 'periodSecond' sits on line 17, column 9.
	typoSpec = `      readinessProbe:
        tcpSocket:
          port: 22
        periodSecond: 5
`
	warnLabel = "  labels:\n    test-warning: \"yes\"\n"
	archLabel = "  labels:\n    test-arch: \"yes\"\n"
)

// parseOnly runs cmd, built with a run function that only records its
// options, with args, as the tests of flag parsing do. With wantErr (a
// substring) the command must fail with it and ran must report that the run
// function did not run; without, it must succeed. It reports whether the
// options were parsed, for the caller to go on and check them.
func parseOnly(t *testing.T, f *Factory, cmd *cobra.Command, args []string, wantErr string, ran func() bool) bool {
	t.Helper()
	if args == nil {
		args = []string{} // nil would make cobra read the test binary's own arguments
	}
	cmd.SetArgs(args)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error = %v, want one containing %q", err, wantErr)
		}
		if ran() {
			t.Errorf("run function called despite the error")
		}
		return false
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return true
}
