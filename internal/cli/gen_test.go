package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/gen"
	"github.com/vmhealth/vmhealth/validate"
)

func i32(n int32) *int32 { return &n }

func TestNewCmdGen(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    GenOptions // Request, Output, For, VM, Namespace, Image, Into, Name, DryRun, CloudInit are compared
		wantErr string
	}{
		{
			name: "watchdog alone",
			args: []string{"--watchdog", "poweroff"},
			want: GenOptions{Output: "yaml", For: gen.TargetVM, Request: gen.Request{GuestOS: gen.GuestFedora,
				Watchdog: &gen.WatchdogRequest{Action: "poweroff", Name: "watchdog"}}},
		},
		{
			name: "the documentation's HTTP readiness probe",
			args: []string{"--readiness", "http:1500/healthz", "--header", "Custom-Header: Awesome", "--initial-delay", "120",
				"--period", "20", "--timeout", "10", "--failure-threshold", "3", "--success-threshold", "3"},
			want: GenOptions{Output: "yaml", For: gen.TargetVM, Request: gen.Request{GuestOS: gen.GuestFedora,
				Readiness: &gen.ProbeRequest{Spec: "http:1500/healthz", Headers: []string{"Custom-Header: Awesome"},
					InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10), FailureThreshold: i32(3), SuccessThreshold: i32(3)}}},
		},
		{
			name: "shared settings, and one probe's own winning",
			args: []string{"--readiness", "tcp:1500", "--liveness", "https:8443/live", "--period", "20", "--liveness-period", "30",
				"--header", "A: b", "--readiness-success-threshold", "2", "--liveness-header", "C: d"},
			want: GenOptions{Output: "yaml", For: gen.TargetVM, Request: gen.Request{GuestOS: gen.GuestFedora,
				Readiness: &gen.ProbeRequest{Spec: "tcp:1500", PeriodSeconds: i32(20), SuccessThreshold: i32(2)},
				Liveness:  &gen.ProbeRequest{Spec: "https:8443/live", Headers: []string{"A: b", "C: d"}, PeriodSeconds: i32(30)}}},
		},
		{
			name: "vmi json with model and arch",
			args: []string{"--for", "vmi", "-o", "json", "--watchdog", "reset", "--watchdog-model", "diag288", "--watchdog-name", "wd", "--arch", "s390x"},
			want: GenOptions{Output: "json", For: gen.TargetVMI, Request: gen.Request{GuestOS: gen.GuestFedora, Arch: "s390x",
				Watchdog: &gen.WatchdogRequest{Action: "reset", Model: "diag288", Name: "wd"}}},
		},
		{
			name: "whole VM with cloud-init",
			args: []string{"--vm", "demo", "--namespace", "ns", "--image", "example.com/disk:1", "--readiness", "tcp:22", "--cloud-init", "--guest-os", "ubuntu"},
			want: GenOptions{Output: "yaml", For: gen.TargetVM, VM: "demo", Namespace: "ns", Image: "example.com/disk:1", CloudInit: true,
				Request: gen.Request{GuestOS: gen.GuestUbuntu, CloudInit: true, Readiness: &gen.ProbeRequest{Spec: "tcp:22"}}},
		},
		{
			name: "into",
			args: []string{"--into", "vm.yaml", "--name", "web", "--dry-run", "--liveness", "exec:cat /tmp/healthy"},
			want: GenOptions{Output: "yaml", For: gen.TargetVM, Into: "vm.yaml", Name: "web", DryRun: true,
				Request: gen.Request{GuestOS: gen.GuestFedora, Liveness: &gen.ProbeRequest{Spec: "exec:cat /tmp/healthy"}}},
		},
		{name: "nothing", args: []string{}, wantErr: "nothing to generate"},
		{name: "an argument", args: []string{"vm.yaml"}, wantErr: `unknown command "vm.yaml"`},
		{name: "period without a probe", args: []string{"--watchdog", "reset", "--period", "5"}, wantErr: "--period needs --readiness or --liveness"},
		{name: "liveness setting without liveness", args: []string{"--readiness", "tcp:1", "--liveness-timeout", "5"}, wantErr: "--liveness-timeout needs --liveness"},
		{name: "readiness header without readiness", args: []string{"--liveness", "http:1", "--readiness-header", "A: b"}, wantErr: "--readiness-header needs --readiness"},
		{name: "header without http", args: []string{"--readiness", "tcp:1500", "--header", "A: b"}, wantErr: "--header needs an http or https probe"},
		{name: "watchdog typo", args: []string{"--watchdog", "poweroof"}, wantErr: `invalid --watchdog "poweroof": the action is poweroff, reset or shutdown; did you mean "poweroff"?`},
		{name: "model without watchdog", args: []string{"--readiness", "tcp:1", "--watchdog-model", "diag288"}, wantErr: "need --watchdog"},
		{name: "bad arch", args: []string{"--watchdog", "reset", "--arch", "x86"}, wantErr: `invalid --arch "x86"`},
		{name: "bad guest os", args: []string{"--watchdog", "reset", "--cloud-init", "--guest-os", "arch"}, wantErr: `invalid --guest-os "arch" (one of: fedora, rhel, centos, ubuntu, debian)`},
		{name: "guest os typo", args: []string{"--watchdog", "reset", "--cloud-init", "--guest-os", "ubunt"}, wantErr: `did you mean "ubuntu"?`},
		{name: "bad output", args: []string{"--watchdog", "reset", "-o", "toml"}, wantErr: `invalid --output "toml"`},
		{name: "bad target", args: []string{"--watchdog", "reset", "--for", "pod"}, wantErr: `invalid --for "pod"`},
		{name: "vm and into", args: []string{"--watchdog", "reset", "--vm", "a", "--into", "b.yaml"}, wantErr: "none of the others can be"},
		{name: "into with output", args: []string{"--watchdog", "reset", "--into", "b.yaml", "-o", "json"}, wantErr: "keeps the file's format"},
		{name: "name without into", args: []string{"--watchdog", "reset", "--name", "a"}, wantErr: "--name and --dry-run need --into"},
		{name: "image without vm", args: []string{"--watchdog", "reset", "--image", "x"}, wantErr: "--namespace and --image need --vm"},
		{name: "patch of a vm", args: []string{"--watchdog", "reset", "--vm", "a", "-o", "patch"}, wantErr: "not a patch"},
		{name: "cloud-init as json", args: []string{"--watchdog", "reset", "--cloud-init", "-o", "json"}, wantErr: "cloud-config, which is YAML"},
		{name: "guest os alone", args: []string{"--watchdog", "reset", "--guest-os", "ubuntu"}, wantErr: "--guest-os needs --cloud-init or --vm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			var got *GenOptions
			cmd := NewCmdGen(f, func(o *GenOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			got.IO, got.setBy, got.Registry, got.cmd = nil, nil, nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options\n%+v\nwant\n%+v", describeGen(*got), describeGen(tt.want))
			}
		})
	}
}

// describeGen prints options with the pointers followed.
func describeGen(o GenOptions) string {
	var b strings.Builder
	b.WriteString(strings.Join([]string{o.Output, string(o.For), o.VM, o.Namespace, o.Image, o.Into, o.Name}, "|"))
	for _, p := range []*gen.ProbeRequest{o.Request.Readiness, o.Request.Liveness} {
		if p == nil {
			b.WriteString(" <nil>")
			continue
		}
		b.WriteString(" {" + p.Spec + " " + strings.Join(p.Headers, ",") + " ")
		for _, v := range []*int32{p.InitialDelaySeconds, p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold, p.SuccessThreshold} {
			if v == nil {
				b.WriteString("- ")
			} else {
				b.WriteString(strconv.Itoa(int(*v)) + " ")
			}
		}
		b.WriteString("}")
	}
	if w := o.Request.Watchdog; w != nil {
		b.WriteString(" watchdog{" + w.Action + " " + w.Model + " " + w.Name + "}")
	}
	b.WriteString(" arch=" + o.Request.Arch + " guest=" + string(o.Request.GuestOS))
	return b.String()
}

// seedCommands produce the four examples of the OpenShift Virtualization
// documentation, one command each.
var seedCommands = []struct {
	name string
	args []string
}{
	{"http-readiness", []string{"--readiness", "http:1500/healthz", "--header", "Custom-Header: Awesome",
		"--initial-delay", "120", "--period", "20", "--timeout", "10", "--failure-threshold", "3", "--success-threshold", "3"}},
	{"tcp-readiness", []string{"--readiness", "tcp:1500", "--initial-delay", "120", "--period", "20", "--timeout", "10"}},
	{"http-liveness", []string{"--liveness", "http:1500/healthz", "--initial-delay", "120", "--period", "20", "--timeout", "10"}},
	{"watchdog", []string{"--watchdog", "poweroff"}},
}

// TestGenSeedExamples runs the four commands and compares their output,
// in every format and for both targets, with golden files.
func TestGenSeedExamples(t *testing.T) {
	for _, sc := range seedCommands {
		for _, variant := range []struct {
			suffix string
			args   []string
		}{{".yaml", nil}, {".json", []string{"-o", "json"}}, {".vmi.yaml", []string{"--for", "vmi"}}, {".patch.json", []string{"-o", "patch"}}} {
			t.Run(sc.name+variant.suffix, func(t *testing.T) {
				f, _, _, _ := testFactory(t)
				code, stdout, stderr := run(t, f, append(append([]string{"gen"}, sc.args...), variant.args...)...)
				if code != ExitOK {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				assertGolden(t, "gen/"+sc.name+variant.suffix, []byte(stdout))
			})
		}
	}
}

func TestGenRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// wantStderr must each appear on standard error.
		wantStderr []string
	}{
		{name: "period equal to timeout", args: []string{"--readiness", "tcp:1500", "--period", "10", "--timeout", "10"},
			wantStderr: []string{"refusing to generate readinessProbe.periodSeconds", "(set by --period)"}},
		{name: "liveness success threshold", args: []string{"--liveness", "http:1500/healthz", "--success-threshold", "3"},
			wantStderr: []string{"refusing to generate livenessProbe.successThreshold", "successThreshold is 3, but a liveness probe must have 1", "(set by --success-threshold)"}},
		{name: "one probe's own flag", args: []string{"--readiness", "tcp:1", "--liveness", "tcp:2", "--liveness-success-threshold", "2"},
			wantStderr: []string{"livenessProbe.successThreshold", "(set by --liveness-success-threshold)"}},
		{name: "timeout above the default period", args: []string{"--readiness", "tcp:1500", "--timeout", "15"},
			wantStderr: []string{"readinessProbe.timeoutSeconds", "(set by --timeout)"}},
		{name: "watchdog on arm64", args: []string{"--watchdog", "reset", "--arch", "arm64"},
			wantStderr: []string{"refusing to generate domain.devices.watchdog", "see --watchdog-model and --arch"}},
		{name: "bad probe", args: []string{"--readiness", "tcp:70000"},
			wantStderr: []string{`readiness probe "tcp:70000": port "70000"`}},
		{name: "zero period", args: []string{"--readiness", "tcp:1", "--readiness-period", "0"},
			wantStderr: []string{"readinessProbe.periodSeconds", "must be 1 or more", "(set by --readiness-period)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			code, stdout, stderr := run(t, f, append([]string{"gen"}, tt.args...)...)
			if code != ExitError {
				t.Errorf("exit %d, want %d", code, ExitError)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestGenOutputsLintClean runs gen for a matrix of flags and lints what it
// printed with the real rules: no errors, whatever the combination.
func TestGenOutputsLintClean(t *testing.T) {
	probes := [][]string{
		nil,
		{"--readiness", "http:1500/healthz", "--header", "X: y"},
		{"--readiness", "tcp:ssh", "--readiness-success-threshold", "2"},
		{"--liveness", "https:8443/live", "--liveness-initial-delay", "120"},
		{"--readiness", "exec:cat /tmp/ok", "--liveness", "guest-agent-ping", "--period", "15", "--timeout", "5", "--liveness-initial-delay", "90"},
	}
	extras := [][]string{
		{"--vm", "a"},
		{"--vm", "b", "--for", "vmi", "-o", "json", "--cloud-init", "--guest-os", "debian"},
		{"--vm", "c", "--watchdog", "shutdown", "--cloud-init"},
		{"--vm", "d", "--watchdog", "reset", "--arch", "s390x"},
	}
	linter := validate.MustNew(validate.Options{})
	for _, p := range probes {
		for _, e := range extras {
			args := append(append([]string{"gen"}, p...), e...)
			if p == nil && !strings.Contains(strings.Join(e, " "), "--watchdog") {
				continue
			}
			f, _, _, _ := testFactory(t)
			code, stdout, stderr := run(t, f, args...)
			if code != ExitOK {
				t.Errorf("%v: exit %d: %s", args, code, stderr)
				continue
			}
			findings, sum := linter.LintBytes("gen", []byte(stdout))
			if sum.Objects != 1 {
				t.Errorf("%v: %d objects linted", args, sum.Objects)
			}
			for _, fd := range findings {
				if fd.Severity >= validate.SeverityError {
					t.Errorf("%v: %s %s: %s", args, fd.RuleID, fd.Field, fd.Message)
				}
			}
		}
	}
}

func TestGenInto(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "gen", "testdata", "into", "web-vm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vm.yaml")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"gen", "--into", path, "--name", "web", "--readiness", "http:1500/healthz", "--initial-delay", "120",
		"--period", "20", "--timeout", "10", "--watchdog", "poweroff", "--cloud-init"}

	f, _, _, _ := testFactory(t)
	code, stdout, stderr := run(t, f, append(args, "--dry-run")...)
	if code != ExitOK || stderr == "" {
		t.Fatalf("dry run: exit %d, stderr %q", code, stderr)
	}
	if now, _ := os.ReadFile(path); string(now) != string(src) {
		t.Fatal("--dry-run changed the file")
	}
	dry := stdout

	f, _, _, _ = testFactory(t)
	code, stdout, stderr = run(t, f, args...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != dry {
		t.Error("the file differs from what --dry-run printed")
	}
	assertGolden(t, "gen/into-web.yaml", got)
	assertGolden(t, "gen/into-web.stderr", []byte(strings.ReplaceAll(stderr, path, "vm.yaml")))
	for _, kept := range []string{"# The web tier: a Service and its VM.", `owner: "team-web"   # quoted on purpose`,
		"- port: 22   # ssh for the admins", "chpasswd: { expire: False }", "# end of the web VM", "runStrategy: Halted"} {
		if !strings.Contains(string(got), kept) {
			t.Errorf("lost %q", kept)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 as before", fi.Mode().Perm())
	}

	// A second run finds nothing to do and leaves the file alone.
	f, _, _, _ = testFactory(t)
	code, _, stderr = run(t, f, args...)
	if code != ExitOK || !strings.Contains(stderr, "already has these health checks") {
		t.Errorf("second run: exit %d, stderr %q", code, stderr)
	}
	if again, _ := os.ReadFile(path); string(again) != string(got) {
		t.Error("the second run changed the file")
	}
}

func TestGenIntoErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"two.yaml":     vm("a", "", "") + "---\n" + vm("b", "", ""),
		"service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
	})
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--into", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"--into", filepath.Join(dir, "two.yaml")}, "pick one with --name"},
		{[]string{"--into", filepath.Join(dir, "two.yaml"), "--name", "c"}, `named "c"`},
		{[]string{"--into", filepath.Join(dir, "service.yaml")}, "holds no VirtualMachine"},
	}
	for _, tt := range tests {
		f, _, _, _ := testFactory(t)
		code, _, stderr := run(t, f, append([]string{"gen", "--watchdog", "reset"}, tt.args...)...)
		if code != ExitError || !strings.Contains(stderr, tt.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.wantErr)
		}
	}
}

func TestGenCloudInit(t *testing.T) {
	f, _, _, _ := testFactory(t)
	code, stdout, stderr := run(t, f, "gen", "--readiness", "http:1500/healthz", "--liveness", "guest-agent-ping",
		"--liveness-initial-delay", "120", "--watchdog", "poweroff", "--cloud-init", "--guest-os", "ubuntu")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("with --cloud-init lint should have no advice left: %s", stderr)
	}
	assertGolden(t, "gen/cloud-init-ubuntu.yaml", []byte(stdout))
	for _, part := range []string{"#cloud-config\n", "vmhealth-probe-1500.service", "apt-get install -y python3 qemu-guest-agent watchdog",
		"watchdog-device = /dev/watchdog", "systemctl --no-block restart watchdog.service", "systemctl restart qemu-guest-agent.service"} {
		if !strings.Contains(stdout, part) {
			t.Errorf("cloud-config lacks %q", part)
		}
	}
}
