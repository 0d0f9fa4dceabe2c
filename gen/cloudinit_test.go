package gen

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// cloudConfigDoc is what the tests read back from generated cloud-config.
type cloudConfigDoc struct {
	WriteFiles []struct {
		Path        string `yaml:"path"`
		Permissions string `yaml:"permissions"`
		Content     string `yaml:"content"`
	} `yaml:"write_files"`
	RunCmd []string `yaml:"runcmd"`
}

func parseCloudConfig(t *testing.T, data []byte) cloudConfigDoc {
	t.Helper()
	if !strings.HasPrefix(string(data), "#cloud-config\n") {
		t.Fatalf("cloud-config does not start with #cloud-config:\n%s", data)
	}
	var doc cloudConfigDoc
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("cloud-config is not valid YAML of the expected shape: %v\n%s", err, data)
	}
	return doc
}

func (d cloudConfigDoc) file(path string) (string, bool) {
	for _, f := range d.WriteFiles {
		if f.Path == path {
			return f.Content, true
		}
	}
	return "", false
}

func TestCloudConfig(t *testing.T) {
	tests := []struct {
		name  string
		req   Request
		files []string
		// runcmd must contain each of these, in this order.
		cmds []string
	}{
		{
			name:  "http-readiness-fedora",
			req:   Request{Readiness: &ProbeRequest{Spec: "http:1500/healthz", InitialDelaySeconds: i32(120)}},
			files: []string{probeServerPath, unitDir + "vmhealth-probe-1500.service"},
			cmds: []string{"dnf install -y python3", "systemctl daemon-reload",
				"firewall-cmd --add-port=1500/tcp", "systemctl enable --now vmhealth-probe-1500.service"},
		},
		{
			name: "all-ubuntu",
			req: Request{GuestOS: GuestUbuntu,
				Readiness: &ProbeRequest{Spec: "https:8443/ready"},
				Liveness:  &ProbeRequest{Spec: "exec:cat /tmp/healthy", InitialDelaySeconds: i32(120)},
				Watchdog:  &WatchdogRequest{Action: "poweroff"}},
			files: []string{probeServerPath, unitDir + "vmhealth-probe-8443.service", modulesLoadPath, watchdogDropInPath},
			cmds: []string{"apt-get update", "apt-get install -y python3 openssl qemu-guest-agent watchdog",
				"ufw allow 8443/tcp",
				"watchdog-device = /dev/watchdog|' /etc/watchdog.conf",
				"echo 'watchdog-device = /dev/watchdog' >> /etc/watchdog.conf",
				"modprobe i6300esb",
				"systemctl enable --now vmhealth-probe-8443.service",
				"systemctl restart qemu-guest-agent.service",
				"systemctl enable watchdog.service", "systemctl --no-block restart watchdog.service"},
		},
		{
			name:  "watchdog-rhel-s390x",
			req:   Request{GuestOS: GuestRHEL, Arch: "s390x", Watchdog: &WatchdogRequest{Action: "reset"}},
			files: []string{modulesLoadPath, watchdogDropInPath},
			cmds:  []string{"yum install -y watchdog", "modprobe diag288_wdt", "systemctl daemon-reload", "systemctl --no-block restart watchdog.service"},
		},
		{
			name: "ssh-and-ping-debian",
			req: Request{GuestOS: GuestDebian, Readiness: &ProbeRequest{Spec: "tcp:ssh"},
				Liveness: &ProbeRequest{Spec: "guest-agent-ping", InitialDelaySeconds: i32(120)}},
			cmds: []string{"apt-get install -y qemu-guest-agent", "systemctl restart qemu-guest-agent.service"},
		},
		{
			name:  "shared-port-centos",
			req:   Request{GuestOS: GuestCentOS, Readiness: &ProbeRequest{Spec: "http:1500/ready"}, Liveness: &ProbeRequest{Spec: "http:1500/live", InitialDelaySeconds: i32(120)}},
			files: []string{probeServerPath, unitDir + "vmhealth-probe-1500.service"},
			cmds:  []string{"yum install -y python3", "systemctl enable --now vmhealth-probe-1500.service"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.CloudInit = true
			s, err := Build(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			out, err := s.CloudInit.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "cloud-init/"+tt.name+".yaml", out)
			doc := parseCloudConfig(t, out)
			var paths []string
			for _, f := range doc.WriteFiles {
				paths = append(paths, f.Path)
			}
			if !slices.Equal(paths, tt.files) {
				t.Errorf("write_files %q, want %q", paths, tt.files)
			}
			i := 0
			for _, cmd := range doc.RunCmd {
				if i < len(tt.cmds) && strings.Contains(cmd, tt.cmds[i]) {
					i++
				}
			}
			if i < len(tt.cmds) {
				t.Errorf("runcmd lacks %q (in order):\n%s", tt.cmds[i], strings.Join(doc.RunCmd, "\n"))
			}
		})
	}
}

// TestCloudConfigShapes checks the parts of the guest side one by one:
// the watchdog configuration, the agent, and no probe server for what
// needs none.
func TestCloudConfigShapes(t *testing.T) {
	s, err := Build(Request{CloudInit: true, Watchdog: &WatchdogRequest{Action: "poweroff"}})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := s.CloudInit.Marshal()
	doc := parseCloudConfig(t, out)
	// A watchdog alone needs only its driver at boot and the unit drop-in.
	if len(doc.WriteFiles) != 2 {
		t.Errorf("a watchdog alone needs two files, got %d", len(doc.WriteFiles))
	}
	// The sed and the fallback together must leave exactly one active
	// watchdog-device line, whatever the package shipped.
	for _, conf := range []string{
		"#watchdog-device = /dev/watchdog\n",
		"# watchdog-device\t=\t/dev/watchdog0\nother = 1\n",
		"other = 1\n",
		"watchdog-device = /dev/watchdog\n",
	} {
		got := runWatchdogConfCommands(t, doc.RunCmd, conf)
		if n := strings.Count(got, "\nwatchdog-device = /dev/watchdog\n"); n != 1 || strings.Count(got, "watchdog-device") != 1 {
			t.Errorf("watchdog.conf %q became %q, want one watchdog-device = /dev/watchdog line", conf, got)
		}
	}
}

// runWatchdogConfCommands runs the sed and grep lines of runcmd on a copy
// of watchdog.conf and returns the result, with a leading newline.
func runWatchdogConfCommands(t *testing.T, cmds []string, conf string) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "watchdog.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		if !strings.Contains(c, "/etc/watchdog.conf") {
			continue
		}
		c = strings.ReplaceAll(c, "/etc/watchdog.conf", path)
		if out, err := exec.Command("sh", "-c", c).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", c, err, out)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return "\n" + string(got)
}

func TestMergeUserData(t *testing.T) {
	s, err := Build(Request{CloudInit: true, Readiness: &ProbeRequest{Spec: "tcp:1500"}, Watchdog: &WatchdogRequest{Action: "reset"}})
	if err != nil {
		t.Fatal(err)
	}
	existing := `#cloud-config
password: fedora
chpasswd: { expire: False }
write_files:
- path: /etc/motd
  content: hello
runcmd:
- echo first
`
	merged, err := s.CloudInit.MergeUserData(existing)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseCloudConfigLoose(t, merged)
	if doc["password"] != "fedora" {
		t.Errorf("password lost:\n%s", merged)
	}
	files := doc["write_files"].([]any)
	if len(files) != 5 || files[0].(map[string]any)["path"] != "/etc/motd" {
		t.Errorf("write_files = %v, want /etc/motd, the two probe files and the two watchdog files", files)
	}
	run := doc["runcmd"].([]any)
	if run[0] != "echo first" || len(run) != 1+len(s.CloudInit.RunCmd) {
		t.Errorf("runcmd = %q", run)
	}
	again, err := s.CloudInit.MergeUserData(merged)
	if err != nil {
		t.Fatal(err)
	}
	if again != merged {
		t.Errorf("merging twice changed the user data:\n%s\nthen\n%s", merged, again)
	}

	if _, err := s.CloudInit.MergeUserData("#!/bin/sh\necho hi\n"); err != ErrNotCloudConfig {
		t.Errorf("merging into a shell script: err = %v, want ErrNotCloudConfig", err)
	}
	if _, err := s.CloudInit.MergeUserData("#cloud-config\nruncmd: echo\n"); err == nil {
		t.Error("merging into a runcmd that is not a list succeeded")
	}
}

func parseCloudConfigLoose(t *testing.T, s string) map[string]any {
	t.Helper()
	if !strings.HasPrefix(s, "#cloud-config\n") {
		t.Fatalf("no #cloud-config line:\n%s", s)
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestProbeServer runs the probe server gen puts into the guest, with the
// arguments of its systemd unit, and probes it as the kubelet would.
func TestProbeServer(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	if testing.Short() {
		t.Skip("starts python3")
	}
	tests := []struct {
		spec string
		tls  bool
	}{
		{spec: "http:%d/healthz"},
		{spec: "https:%d/ready", tls: true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			port := freePort(t)
			s, err := Build(Request{CloudInit: true, Readiness: &ProbeRequest{Spec: fmt.Sprintf(tt.spec, port)}})
			if err != nil {
				t.Fatal(err)
			}
			out, _ := s.CloudInit.Marshal()
			doc := parseCloudConfig(t, out)
			dir := t.TempDir()
			script := filepath.Join(dir, "server.py")
			content, _ := doc.file(probeServerPath)
			if err := os.WriteFile(script, []byte(content), 0o755); err != nil {
				t.Fatal(err)
			}
			unit, ok := doc.file(fmt.Sprintf("%svmhealth-probe-%d.service", unitDir, port))
			if !ok {
				t.Fatalf("no unit for port %d", port)
			}
			args := execStartArgs(t, unit)
			if args[0] != "/usr/bin/python3" || args[1] != probeServerPath {
				t.Fatalf("ExecStart runs %q", args[:2])
			}
			args = args[2:]
			if tt.tls {
				cert, key := selfSigned(t, dir)
				for i := range args {
					switch {
					case strings.HasSuffix(args[i], "/tls.crt"):
						args[i] = cert
					case strings.HasSuffix(args[i], "/tls.key"):
						args[i] = key
					}
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			cmd := exec.CommandContext(ctx, python, append([]string{script}, args...)...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cancel(); _ = cmd.Wait() })

			scheme := "http"
			if tt.tls {
				scheme = "https"
			}
			client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
				// The kubelet does not verify probe certificates either.
				TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
			base := fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
			path := s.Readiness.HTTPGet.Path
			waitFor(t, client, base+path)
			for _, c := range []struct {
				path string
				want int
			}{{path, 200}, {path + "?verbose=1", 200}, {"/elsewhere", 404}} {
				resp, err := client.Get(base + c.path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != c.want {
					t.Errorf("GET %s: %d, want %d", c.path, resp.StatusCode, c.want)
				}
			}
			// A bare TCP connection, as a tcpSocket probe makes, must not
			// stall the server.
			conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			resp, err := client.Get(base + path)
			if err != nil {
				t.Fatalf("GET after an idle connection: %v", err)
			}
			resp.Body.Close()
		})
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitFor(t *testing.T, client *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the probe server did not answer %s", url)
}

// execStartArgs splits the ExecStart line of a unit; the generated ones
// quote nothing for these paths.
func execStartArgs(t *testing.T, unit string) []string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(unit))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "ExecStart="); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatalf("no ExecStart in\n%s", unit)
	return nil
}

func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl")
	}
	cert, key = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	out, err := exec.Command(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
		"-subj", "/CN=test", "-keyout", key, "-out", cert).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	return cert, key
}

func TestSystemdQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/healthz", "/healthz"},
		{"/a%20b", "/a%%20b"},
		{"/$HOME", "/$$HOME"},
		{`/a"b`, `"/a\"b"`},
		{"/a;b", `"/a;b"`},
	}
	for _, tt := range tests {
		if got := systemdQuote(tt.in); got != tt.want {
			t.Errorf("systemdQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
