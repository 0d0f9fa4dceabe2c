package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/render"
)

// runLintCluster runs lint with the connector and returns exit code and
// output.
func runLintCluster(t *testing.T, connect Connector, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	f, _, out, errOut := testFactory(t)
	cmd := NewCmdLint(f, func(ctx context.Context, o *LintOptions) error {
		o.Cluster.Connect = connect
		return runLint(ctx, o)
	})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	c, err := cmd.ExecuteC()
	return handleError(context.Background(), f, c, err), out.String(), errOut.String()
}

const typoReadiness = "readinessProbe:\n  tcpSocket: {port: 22}\n  periodSecond: 5\n"

// vmiOf is the VMI KubeVirt makes from clusterVM(name, spec).
func vmiOf(name, spec string) string {
	return `apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: ` + name + `
  namespace: demo
  labels: {app: web}
  ownerReferences:
  - {apiVersion: kubevirt.io/v1, kind: VirtualMachine, name: ` + name + `, uid: "1", controller: true}
spec:
  domain:
    devices: {}
    memory: {guest: 1Gi}
` + indent(spec, "  ")
}

func TestLintCluster(t *testing.T) {
	connect, _ := fakeCluster(t,
		clusterVM("good", tcpReadiness),
		clusterVM("broken", typoReadiness),
		// Made from "broken": the same finding, not reported twice.
		vmiOf("broken", typoReadiness),
		// Runs older health checks than its VM says: reported.
		vmiOf("good", typoReadiness),
	)
	code, stdout, stderr := runLintCluster(t, connect, "--cluster")
	if code != ExitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"VirtualMachine/demo/broken: error unknown-field",
		"VirtualMachineInstance/demo/good: error unknown-field",
		"3 objects: 2 errors",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "VirtualMachineInstance/demo/broken") {
		t.Errorf("the VMI that repeats its VM was reported:\n%s", stdout)
	}

	code, stdout, _ = runLintCluster(t, connect, "--cluster", "-o", "json")
	var doc struct {
		Findings []struct {
			File   string
			Object struct{ Kind, Namespace, Name string }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != ExitFindings || len(doc.Findings) != 2 {
		t.Fatalf("json: exit %d, %v\n%s", code, err, stdout)
	}
	if o := doc.Findings[0].Object; doc.Findings[0].File != "" || o.Namespace != "demo" || o.Name == "" {
		t.Errorf("a finding from the cluster names %+v, file %q", o, doc.Findings[0].File)
	}

	// Every format copes with findings that have no file.
	for _, format := range render.Formats() {
		if code, stdout, stderr := runLintCluster(t, connect, "--cluster", "-o", format); code != ExitFindings || stdout == "" {
			t.Errorf("-o %s: exit %d\n%s\n%s", format, code, stdout, stderr)
		}
	}

	code, stdout, _ = runLintCluster(t, connect, "--cluster", "-n", "elsewhere")
	if code != ExitOK || !strings.Contains(stdout, "0 objects") {
		t.Errorf("empty namespace: exit %d\n%s", code, stdout)
	}
}

func TestLintClusterFlags(t *testing.T) {
	connect, _ := fakeCluster(t)
	for _, tt := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"-A", "vm.yaml"}, "--all-namespaces needs --cluster"},
		{[]string{"--kubeconfig", "k", "vm.yaml"}, "--kubeconfig needs --cluster"},
		{[]string{"--cluster", "vm.yaml"}, "give no paths"},
		{[]string{"--cluster", "-A", "-n", "x"}, "cannot be used together"},
	} {
		code, _, stderr := runLintCluster(t, connect, tt.args...)
		if code != ExitError || !strings.Contains(stderr, tt.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tt.args, code, stderr, tt.wantErr)
		}
	}
}

// TestLintClusterHonoursConfigAndBaseline checks that lint --cluster reads
// the configuration file and the baseline as lint on files does.
func TestLintClusterHonoursConfigAndBaseline(t *testing.T) {
	connect, _ := fakeCluster(t, clusterVM("broken", typoReadiness))
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".vmhealth.yaml")
	if err := os.WriteFile(cfg, []byte("rules:\n  unknown-field:\n    severity: warning\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runLintCluster(t, connect, "--cluster", "--config", cfg)
	if code != ExitOK || !strings.Contains(stdout, "warning unknown-field") {
		t.Errorf("severity from the config: exit %d\n%s\n%s", code, stdout, stderr)
	}

	base := filepath.Join(dir, "baseline.json")
	if code, stdout, stderr := runLintCluster(t, connect, "--cluster", "--no-config", "--baseline-write", base); code != ExitOK {
		t.Fatalf("baseline-write: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runLintCluster(t, connect, "--cluster", "--no-config", "--baseline", base)
	if code != ExitOK || !strings.Contains(stdout, "(1 suppressed)") {
		t.Errorf("with the baseline: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
