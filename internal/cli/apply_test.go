package cli

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/apply"
	"github.com/vmhealth/vmhealth/internal/kube"
)

// These tests run apply and lint --cluster against client-go's fake
// dynamic client (no server-side apply, so they use --strategy merge or a
// client dry run) or a small HTTP server; test/e2e runs the real binary
// against a real API server.

var fakeResources = map[schema.GroupVersionResource]string{
	{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachines"}:                   "VirtualMachineList",
	{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachineinstances"}:           "VirtualMachineInstanceList",
	{Group: "kubevirt.io", Version: "v1", Resource: "virtualmachineinstancereplicasets"}: "VirtualMachineInstanceReplicaSetList",
	{Group: "pool.kubevirt.io", Version: "v1beta1", Resource: "virtualmachinepools"}:     "VirtualMachinePoolList",
}

// fakeCluster returns a Connector to a fake cluster holding the objects,
// given as YAML documents.
func fakeCluster(t *testing.T, manifests ...string) (Connector, *fake.FakeDynamicClient) {
	t.Helper()
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Group: "kubevirt.io", Version: "v1"}, {Group: "pool.kubevirt.io", Version: "v1beta1"}})
	for gvr, list := range fakeResources {
		mapper.Add(gvr.GroupVersion().WithKind(strings.TrimSuffix(list, "List")), meta.RESTScopeNamespace)
	}
	var objs []runtime.Object
	for _, m := range manifests {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(m), &u.Object); err != nil {
			t.Fatal(err)
		}
		u.SetResourceVersion("1")
		objs = append(objs, u)
	}
	dyn := fake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), fakeResources, objs...)
	connect := func(flags kube.Flags, _ kube.Options) (*kube.Clients, error) {
		ns := flags.Namespace
		if ns == "" {
			ns = "demo"
		}
		return &kube.Clients{
			Config: &rest.Config{Host: "https://fake.example"}, Dynamic: dyn, Mapper: mapper,
			Namespace: ns, NamespaceExplicit: flags.Namespace != "", Describe: "fake", Redactor: kube.NewRedactor(nil),
		}, nil
	}
	return connect, dyn
}

// runApply runs apply with the connector and returns exit code and output.
func runApply(t *testing.T, connect Connector, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	f, in, out, errOut := testFactory(t)
	in.WriteString(stdin)
	cmd := NewCmdApply(f, func(ctx context.Context, o *ApplyOptions) error {
		o.Connect = connect
		return applyRun(ctx, o)
	})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	c, err := cmd.ExecuteC()
	return handleError(context.Background(), f, c, err), out.String(), errOut.String()
}

// clusterVM is a VirtualMachine in namespace demo with extra lines in its
// VMI spec.
func clusterVM(name, spec string) string {
	return `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: ` + name + `
  namespace: demo
  labels: {app: web}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices: {}
        memory: {guest: 1Gi}
` + indent(spec, "      ")
}

func indent(s, by string) string {
	if s == "" {
		return ""
	}
	return by + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+by) + "\n"
}

const tcpReadiness = "readinessProbe:\n  tcpSocket:\n    port: 22\n"

func TestNewCmdApply(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(*testing.T, *ApplyOptions)
	}{
		{
			name: "defaults",
			args: []string{"--vm", "web-1", "--from", "s.yaml"},
			check: func(t *testing.T, o *ApplyOptions) {
				if o.Kind.GroupKind != apply.VirtualMachine.GroupKind || o.Strategy != apply.StrategyServerSide || o.DryRun != apply.DryRunNone ||
					o.FieldManager != "vmhealth" || o.Concurrency != 8 || o.Kube.Timeout != kube.DefaultTimeout {
					t.Errorf("options = %+v", o)
				}
			},
		},
		{
			name: "bare --dry-run is a server dry run",
			args: []string{"--vm", "a,b", "--from", "-", "--dry-run", "--kind", "vmpool"},
			check: func(t *testing.T, o *ApplyOptions) {
				if o.DryRun != apply.DryRunServer || len(o.VMs) != 2 || o.Kind.GroupKind != apply.VirtualMachinePool.GroupKind {
					t.Errorf("options = %+v", o)
				}
			},
		},
		{
			name: "gen's flags",
			args: []string{"--vm", "a", "--readiness", "tcp:22", "--period", "20", "--watchdog", "reset"},
			check: func(t *testing.T, o *ApplyOptions) {
				r := o.genRequest
				if r == nil || r.Readiness == nil || r.Readiness.Spec != "tcp:22" || *r.Readiness.PeriodSeconds != 20 || r.Watchdog == nil || r.Watchdog.Action != "reset" {
					t.Errorf("request = %+v", r)
				}
			},
		},
		{name: "gen's flags and --from", args: []string{"--vm", "a", "--readiness", "tcp:22", "--from", "s"}, wantErr: "cannot be used with --from"},
		{name: "timing without a probe", args: []string{"--vm", "a", "--period", "20"}, wantErr: "--period needs --readiness or --liveness"},
		{name: "gen's check of the watchdog action", args: []string{"--vm", "a", "--watchdog", "rest"}, wantErr: `did you mean "reset"`},
		{name: "no target", args: []string{"--from", "s.yaml"}, wantErr: "nothing to apply to"},
		{name: "no stanza", args: []string{"--vm", "a"}, wantErr: "no health checks given"},
		{name: "two targets", args: []string{"--vm", "a", "-l", "app=web", "--from", "s"}, wantErr: "none of the others can be"},
		{name: "-f and --from", args: []string{"-f", "vms.yaml", "--from", "s"}, wantErr: "none of the others can be"},
		{name: "-A without -l", args: []string{"--vm", "a", "-A", "--from", "s"}, wantErr: "--all-namespaces needs -l"},
		{name: "-A with -n", args: []string{"-l", "a=b", "-A", "-n", "x", "--from", "s"}, wantErr: "cannot be used together"},
		{name: "force conflicts with merge", args: []string{"--vm", "a", "--from", "s", "--strategy", "merge", "--force-conflicts"}, wantErr: "--force-conflicts needs --strategy server-side"},
		{name: "bad strategy", args: []string{"--vm", "a", "--from", "s", "--strategy", "json"}, wantErr: "invalid --strategy"},
		{name: "bad dry run", args: []string{"--vm", "a", "--from", "s", "--dry-run=maybe"}, wantErr: "invalid --dry-run"},
		{name: "restart in a dry run", args: []string{"--vm", "a", "--from", "s", "--dry-run=client", "--restart"}, wantErr: "--restart cannot be used with --dry-run"},
		{name: "VMIs cannot be changed", args: []string{"--vm", "a", "--from", "s", "--kind", "vmi"}, wantErr: "invalid --kind"},
		{name: "stdin twice", args: []string{"-f", "-", "-f", "-"}, wantErr: "given 2 times"},
		{name: "unknown rule", args: []string{"--vm", "a", "--from", "s", "--disable", "nope"}, wantErr: "--disable"},
		{
			name: "names as arguments, as kubectl takes them",
			args: []string{"web-1", "web-2", "--vm", "web-3", "--from", "s"},
			check: func(t *testing.T, o *ApplyOptions) {
				if strings.Join(o.VMs, ",") != "web-3,web-1,web-2" || o.Kind.GroupKind != apply.VirtualMachine.GroupKind {
					t.Errorf("VMs = %v, kind %s", o.VMs, o.Kind.Kind)
				}
			},
		},
		{
			name: "TYPE/NAME sets the kind",
			args: []string{"vmpool/web", "virtualmachinepool/db", "--from", "s"},
			check: func(t *testing.T, o *ApplyOptions) {
				if strings.Join(o.VMs, ",") != "web,db" || o.Kind.GroupKind != apply.VirtualMachinePool.GroupKind {
					t.Errorf("VMs = %v, kind %s", o.VMs, o.Kind.Kind)
				}
			},
		},
		{name: "two kinds of names", args: []string{"vm/a", "vmpool/b", "--from", "s"}, wantErr: "the names of one run are of one kind"},
		{name: "TYPE/NAME against --kind", args: []string{"vm/a", "--kind", "vmpool", "--from", "s"}, wantErr: "vm/a is a VirtualMachine, but --kind says vmpool"},
		{name: "a VMI by name", args: []string{"vmi/a", "--from", "s"}, wantErr: "cannot be changed in place"},
		{name: "an unknown type", args: []string{"pod/a", "--from", "s"}, wantErr: `pod/a: unknown kind "pod"`},
		{name: "an empty name", args: []string{"vm/", "--from", "s"}, wantErr: "empty name"},
		{name: "names and a selector", args: []string{"a", "-l", "app=web", "--from", "s"}, wantErr: "names (a) cannot be used with -l or -f"},
		{name: "kind typo", args: []string{"a", "--kind", "vmpol", "--from", "s"}, wantErr: `did you mean "vmpool"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			var got *ApplyOptions
			cmd := NewCmdApply(f, func(_ context.Context, o *ApplyOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			tt.check(t, got)
		})
	}
}

func TestApplyRunBySelector(t *testing.T) {
	connect, dyn := fakeCluster(t, clusterVM("web-1", ""), clusterVM("web-2", tcpReadiness), clusterVM("db", "")+"")
	stanza := writeTemp(t, "s.yaml", tcpReadiness)
	code, stdout, stderr := runApply(t, connect, "", "-l", "app=web", "--from", stanza, "--strategy", "merge", "--diff")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if got := row(stdout, "web-1"); got != "applied readinessProbe; restart required" {
		t.Errorf("web-1: %q", got)
	}
	if got := row(stdout, "web-2"); got != "unchanged" {
		t.Errorf("web-2: %q", got)
	}
	for _, want := range []string{
		"+++ VirtualMachine demo/web-1 (after apply)",
		"3 objects: 2 applied, 1 unchanged, 0 failed",
		"Note: 2 VMs are running",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "+++ VirtualMachine demo/web-2") {
		t.Errorf("a diff for an unchanged VM:\n%s", stdout)
	}
	patches := 0
	for _, a := range dyn.Actions() {
		if a.GetVerb() == "patch" {
			patches++
		}
	}
	if patches != 2 {
		t.Errorf("%d patches, want 2", patches)
	}
}

func TestApplyRunFailures(t *testing.T) {
	connect, _ := fakeCluster(t, clusterVM("web-1", ""))
	// unknown-field is an error in every registry.
	bad := writeTemp(t, "bad.yaml", "livenessProbe:\n  tcpSocket: {port: 22}\n  periodSecond: 2\n")

	code, stdout, stderr := runApply(t, connect, "", "--vm", "web-1,missing", "--from", bad, "--strategy", "merge")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	if got := row(stdout, "web-1"); got != "failed lint errors" {
		t.Errorf("web-1: %q\n%s", got, stdout)
	}
	if got := row(stdout, "missing"); got != "failed not found" {
		t.Errorf("missing: %q\n%s", got, stdout)
	}
	if !strings.Contains(stdout, "2 objects: 0 applied, 0 unchanged, 2 failed") {
		t.Errorf("no count:\n%s", stdout)
	}
	for _, want := range []string{
		`vmhealth: VirtualMachine demo/missing: VirtualMachine "missing" not found in namespace "demo"`,
		"vmhealth: VirtualMachine demo/web-1: lint found 1 error in the result; nothing was written",
		"run again with --force",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestApplyRunGenFlags(t *testing.T) {
	connect, _ := fakeCluster(t, clusterVM("web-1", ""))
	code, stdout, stderr := runApply(t, connect, "", "--vm", "web-1", "--readiness", "http:1500/healthz", "--period", "20",
		"--timeout", "5", "--strategy", "merge", "--diff")
	if code != ExitOK || row(stdout, "web-1") != "applied readinessProbe; restart required" ||
		!strings.Contains(stdout, "+        periodSeconds: 20") || !strings.Contains(stdout, "+          path: /healthz") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}

	// What gen refuses, apply refuses the same way, before connecting.
	code, stdout, stderr = runApply(t, nil, "", "--vm", "web-1", "--liveness", "tcp:22", "--liveness-success-threshold", "2")
	if code != ExitError || !strings.Contains(stderr, "refusing to generate") || !strings.Contains(stderr, "(set by --liveness-success-threshold)") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestApplyRunStdinAndClientDryRun(t *testing.T) {
	connect, dyn := fakeCluster(t, clusterVM("web-1", ""))
	code, stdout, stderr := runApply(t, connect, tcpReadiness, "--vm", "web-1", "--from", "-", "--dry-run=client")
	if code != ExitOK || !strings.Contains(stdout, "would apply") || !strings.Contains(stdout, "client dry run: nothing was sent") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, a := range dyn.Actions() {
		if a.GetVerb() != "get" {
			t.Errorf("a client dry run sent a %s", a.GetVerb())
		}
	}
}

func TestApplyRunFile(t *testing.T) {
	connect, _ := fakeCluster(t, clusterVM("web-1", ""), clusterVM("web-2", ""))
	file := writeTemp(t, "vms.yaml", clusterVM("web-1", tcpReadiness)+"---\n"+clusterVM("web-2", "livenessProbe: {tcpSocket: {port: 22}}\n"))
	code, stdout, stderr := runApply(t, connect, "", "-f", file, "--strategy", "merge")
	if code != ExitOK || row(stdout, "web-1") != "applied readinessProbe; restart required" || row(stdout, "web-2") != "applied livenessProbe; restart required" {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}

	code, _, stderr = runApply(t, connect, "", "-f", file, "-n", "other", "--strategy", "merge")
	if code != ExitError || !strings.Contains(stderr, `is in namespace "demo", not "other"`) {
		t.Errorf("namespace mismatch: exit %d\n%s", code, stderr)
	}
}

// discoveryServer answers discovery like an API server without KubeVirt,
// and everything else with 401, echoing the bearer token back.
func discoveryServer(t *testing.T) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api":
			w.Write([]byte(`{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}`))
		case "/apis":
			w.Write([]byte(`{"kind":"APIGroupList","apiVersion":"v1","groups":[]}`))
		case "/api/v1":
			w.Write([]byte(`{"kind":"APIResourceList","groupVersion":"v1","resources":[]}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401,"message":"` + r.Header.Get("Authorization") + `"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

const secretToken = "eyJhbGciOiJSUzI1NiJ9.dG9wLXNlY3JldC1zZXJ2aWNlLWFjY291bnQ.c2lnbmF0dXJl"

func tokenKubeconfig(t *testing.T, server string) string {
	return writeTemp(t, "kubeconfig", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "`+server+`", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: `+secretToken+`}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: demo}}]
current-context: x
`)
}

func TestApplyWithoutKubeVirt(t *testing.T) {
	srv := discoveryServer(t)
	stanza := writeTemp(t, "s.yaml", tcpReadiness)
	code, stdout, stderr := runApply(t, nil, "", "--kubeconfig", tokenKubeconfig(t, srv.URL), "--vm", "web", "--from", stanza, "-v=2")
	if code != ExitError || !strings.Contains(stderr, "the cluster does not serve VirtualMachine (kubevirt.io): is KubeVirt installed?") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, secretToken) {
		t.Errorf("the token was printed:\n%s\n%s", stdout, stderr)
	}
}

func TestLintClusterRedactsToken(t *testing.T) {
	srv := discoveryServer(t)
	f, _, stdout, stderr := testFactory(t)
	cmd := NewCmdLint(f, nil)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetArgs([]string{"--cluster", "--kubeconfig", tokenKubeconfig(t, srv.URL)})
	c, err := cmd.ExecuteC()
	code := handleError(context.Background(), f, c, err)
	if code != ExitError || strings.Contains(stdout.String()+stderr.String(), secretToken) || strings.Contains(stdout.String()+stderr.String(), "dG9wLXNlY3JldC1zZXJ2aWNlLWFjY291bnQ") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestApplyUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	stanza := writeTemp(t, "s.yaml", tcpReadiness)
	code, _, stderr := runApply(t, nil, "", "--kubeconfig", tokenKubeconfig(t, "https://"+addr), "--vm", "web", "--from", stanza)
	if code != ExitError || !strings.Contains(stderr, "cannot reach the API server at https://"+addr) {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// row returns the RESULT and DETAIL columns of the table row for name,
// with single spaces.
func row(stdout, name string) string {
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) >= 4 && f[2] == name {
			return strings.Join(f[3:], " ")
		}
	}
	return ""
}

func TestApplyTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // never answers in time
	}))
	defer srv.Close()
	defer close(release)
	stanza := writeTemp(t, "s.yaml", tcpReadiness)
	code, _, stderr := runApply(t, nil, "", "--kubeconfig", tokenKubeconfig(t, srv.URL), "--vm", "web", "--from", stanza, "--request-timeout", "300ms")
	if code != ExitError || !strings.Contains(stderr, "did not answer in time (--request-timeout is 300ms)") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
