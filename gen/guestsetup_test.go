package gen

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestProbeServerPython36 checks that the probe server is Python 3.6 (RHEL 8,
// CentOS 8): its syntax, and every attribute it takes from the standard
// library modules, which must be in 3.6's. ThreadingHTTPServer (3.7) is the
// mistake this catches.
func TestProbeServerPython36(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("NO python3 ON THIS MACHINE: the probe server's Python 3.6 check did not run")
	}
	// What the modules the server imports offer in Python 3.6 and the
	// server may use (from the 3.6 library documentation).
	const py36 = `{
 "argparse": ["ArgumentParser"],
 "http.server": ["BaseHTTPRequestHandler", "HTTPServer"],
 "os": ["path"],
 "os.path": ["exists"],
 "socket": ["AF_INET6", "IPPROTO_IPV6", "IPV6_V6ONLY"],
 "socketserver": ["ThreadingMixIn"],
 "ssl": ["SSLContext", "PROTOCOL_TLS_SERVER"],
}`
	check := `
import ast, sys
allowed = ` + py36 + `
src = open(sys.argv[1]).read()
tree = ast.parse(src, feature_version=(3, 6))
def dotted(n):
    if isinstance(n, ast.Name):
        return n.id
    if isinstance(n, ast.Attribute):
        d = dotted(n.value)
        return d and d + "." + n.attr
bad = []
imported = set()
for n in ast.walk(tree):
    if isinstance(n, ast.Import):
        imported.update(a.name for a in n.names)
    if isinstance(n, ast.ImportFrom):
        bad.append("from-import of %s" % n.module)
for name in imported:
    if name not in allowed:
        bad.append("import %s" % name)
for n in ast.walk(tree):
    if isinstance(n, ast.Attribute):
        d = dotted(n)
        if not d:
            continue
        mod, _, attr = d.rpartition(".")
        if mod in allowed and attr not in allowed[mod]:
            bad.append("%s (line %d)" % (d, n.lineno))
if bad:
    print("\n".join(sorted(set(bad))))
    sys.exit(1)
`
	script := filepath.Join(t.TempDir(), "server.py")
	if err := os.WriteFile(script, []byte(probeServer), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(src string) (string, error) {
		out, err := exec.Command(python, "-c", check, src).CombinedOutput()
		return string(out), err
	}
	if out, err := run(script); err != nil {
		t.Errorf("the probe server is not Python 3.6:\n%s", out)
	}
	// The check must be able to fail: the server as it was before.
	old := filepath.Join(t.TempDir(), "old.py")
	broken := strings.Replace(probeServer, "class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):",
		"class Server(http.server.ThreadingHTTPServer):", 1)
	if broken == probeServer {
		t.Fatal("the probe server no longer declares Server as expected; update this test")
	}
	if err := os.WriteFile(old, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(old); err == nil || !strings.Contains(out, "http.server.ThreadingHTTPServer") {
		t.Errorf("the check passed a server using ThreadingHTTPServer (3.7+): %v %s", err, out)
	}
}

// TestAllowGuestExec runs the command gen writes for exec probes on the
// Red Hat family against the RPC filters those distributions ship.
func TestAllowGuestExec(t *testing.T) {
	if _, err := exec.LookPath("sed"); err != nil {
		t.Skip("no sed")
	}
	tests := []struct {
		name, in, want string
	}{{
		name: "rhel8 block list",
		in: "# Comma-separated blacklist of RPCs to disable, with guest-exec in the comment\n" +
			"BLACKLIST_RPC=guest-file-open,guest-file-close,guest-exec,guest-exec-status,guest-file-flush\n",
		want: "# Comma-separated blacklist of RPCs to disable, with guest-exec in the comment\n" +
			"BLACKLIST_RPC=guest-file-open,guest-file-close,guest-file-flush\n",
	}, {
		name: "block list ending with guest-exec",
		in:   `FILTER_RPC_ARGS="--block-rpcs=guest-file-open,guest-exec-status,guest-exec"` + "\n",
		want: `FILTER_RPC_ARGS="--block-rpcs=guest-file-open"` + "\n",
	}, {
		name: "rhel9 allow list",
		in:   `FILTER_RPC_ARGS="--allow-rpcs=guest-sync-delimited,guest-sync,guest-ping,guest-get-time"` + "\n",
		want: `FILTER_RPC_ARGS="--allow-rpcs=guest-sync-delimited,guest-sync,guest-ping,guest-get-time,guest-exec,guest-exec-status"` + "\n",
	}, {
		name: "already allowed",
		in:   `FILTER_RPC_ARGS="--allow-rpcs=guest-ping,guest-exec,guest-exec-status"` + "\n",
		want: `FILTER_RPC_ARGS="--allow-rpcs=guest-ping,guest-exec,guest-exec-status"` + "\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "qemu-ga")
			if err := os.WriteFile(f, []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			for range 2 { // running it again changes nothing
				if out, err := exec.Command("sh", "-c", allowGuestExecCommand(f)).CombinedOutput(); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
			}
			got, _ := os.ReadFile(f)
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	if out, err := exec.Command("sh", "-c", allowGuestExecCommand(filepath.Join(t.TempDir(), "absent"))).CombinedOutput(); err != nil {
		t.Errorf("without the file: %v %s", err, out)
	}
}

// TestGuestSetupPerOS checks the per-OS pieces of the guest side.
func TestGuestSetupPerOS(t *testing.T) {
	for _, g := range GuestOSes {
		t.Run(string(g), func(t *testing.T) {
			s, err := Build(Request{GuestOS: g, CloudInit: true,
				Readiness: &ProbeRequest{Spec: "exec:cat /etc/hostname"},
				Watchdog:  &WatchdogRequest{Action: "poweroff"}})
			if err != nil {
				t.Fatal(err)
			}
			cc := s.CloudInit
			files := map[string]string{}
			for _, f := range cc.WriteFiles {
				files[f.Path] = f.Content
			}
			if !strings.HasSuffix(files[modulesLoadPath], "\ni6300esb\n") {
				t.Errorf("%s: %q", modulesLoadPath, files[modulesLoadPath])
			}
			if !strings.Contains(files[watchdogDropInPath], "[Unit]\nOnFailure=\n") {
				t.Errorf("%s: %q", watchdogDropInPath, files[watchdogDropInPath])
			}
			// The daemon is restarted, after the configuration is edited
			// and the drop-in read.
			reload := slices.Index(cc.RunCmd, "systemctl daemon-reload")
			restart := slices.Index(cc.RunCmd, "systemctl --no-block restart watchdog.service")
			edit := slices.IndexFunc(cc.RunCmd, func(c string) bool { return strings.Contains(c, "/etc/watchdog.conf") })
			if reload < 0 || restart < 0 || edit < 0 || !(edit < restart && reload < restart) {
				t.Errorf("runcmd does not edit, reload, then restart the watchdog:\n%s", strings.Join(cc.RunCmd, "\n"))
			}
			allow := slices.Contains(cc.RunCmd, allowGuestExecCommand(qgaSysconfig))
			if want := !g.apt(); allow != want {
				t.Errorf("guest-exec allowed in %s: %v, want %v", qgaSysconfig, allow, want)
			}
			if agent := slices.Index(cc.RunCmd, "systemctl restart qemu-guest-agent.service"); agent < 0 {
				t.Errorf("qemu-guest-agent is not restarted:\n%s", strings.Join(cc.RunCmd, "\n"))
			}
		})
	}
	// guestAgentPing alone needs no guest-exec.
	s, err := Build(Request{GuestOS: GuestRHEL, CloudInit: true, Liveness: &ProbeRequest{Spec: "guest-agent-ping"}})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(s.CloudInit.RunCmd, allowGuestExecCommand(qgaSysconfig)) {
		t.Error("guest-exec allowed for a guestAgentPing probe")
	}
}

func TestParseGuestOSWindows(t *testing.T) {
	for _, name := range []string{"windows", "Windows"} {
		if _, err := ParseGuestOS(name); !errors.Is(err, ErrWindowsGuest) {
			t.Errorf("ParseGuestOS(%q): %v, want ErrWindowsGuest", name, err)
		}
	}
}
