package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/internal/prober"
	"github.com/vmhealth/vmhealth/internal/qga/qgatest"
)

func TestNewCmdProbe(t *testing.T) {
	const noDelay = true
	def := func(o ProbeOptions, noKubeVirtDelay ...bool) ProbeOptions {
		if o.Probe == "" {
			o.Probe = "all"
		}
		if o.Output == "" {
			o.Output = "text"
		}
		o.KubeVirtDelay = len(noKubeVirtDelay) == 0
		o.UserAgent = "kube-probe/" + fallbackKubeMinor
		return o
	}
	tests := []struct {
		name    string
		args    []string
		want    ProbeOptions
		wantErr string
	}{
		{name: "defaults", args: []string{"vm.yaml"}, want: def(ProbeOptions{Input: "vm.yaml"})},
		{name: "host only keeps the probe's port", args: []string{"vm.yaml", "--address", "127.0.0.1"},
			want: def(ProbeOptions{Input: "vm.yaml", Address: "127.0.0.1", Host: "127.0.0.1"})},
		{name: "every flag", args: []string{"-", "--address", "127.0.0.1:8080", "--qga", "unix:/run/qga.sock", "--probe", "liveness",
			"--kubevirt-delay=false", "--rounds", "3", "--duration", "90s", "-o", "json", "--name", "web"},
			want: def(ProbeOptions{Input: "-", Address: "127.0.0.1:8080", Host: "127.0.0.1", Port: 8080, QGA: "unix:/run/qga.sock",
				QGANetwork: "unix", QGAAddr: "/run/qga.sock", Probe: "liveness", Rounds: 3, Duration: 90 * time.Second,
				Output: "json", Name: "web"}, noDelay)},
		{name: "ipv6 with port", args: []string{"vm.yaml", "--address", "[::1]:1500"},
			want: def(ProbeOptions{Input: "vm.yaml", Address: "[::1]:1500", Host: "::1", Port: 1500})},
		{name: "ipv6 alone", args: []string{"vm.yaml", "--address", "::1"},
			want: def(ProbeOptions{Input: "vm.yaml", Address: "::1", Host: "::1"})},
		{name: "once", args: []string{"vm.yaml", "--once"}, want: def(ProbeOptions{Input: "vm.yaml", Once: true})},
		{name: "no file", wantErr: "probe reads one file"},
		{name: "two files", args: []string{"a.yaml", "b.yaml"}, wantErr: "got 2 arguments"},
		{name: "bad port", args: []string{"vm.yaml", "--address", "127.0.0.1:99999"}, wantErr: `invalid --address "127.0.0.1:99999"`},
		{name: "no host", args: []string{"vm.yaml", "--address", ":80"}, wantErr: "no host"},
		{name: "bad qga", args: []string{"vm.yaml", "--qga", "/run/qga.sock"}, wantErr: "want unix:PATH"},
		{name: "bad probe", args: []string{"vm.yaml", "--probe", "startup"}, wantErr: `invalid --probe "startup"`},
		{name: "bad output", args: []string{"vm.yaml", "-o", "yaml"}, wantErr: `invalid --output "yaml"`},
		{name: "negative rounds", args: []string{"vm.yaml", "--rounds", "-1"}, wantErr: "invalid --rounds -1"},
		{name: "once and rounds", args: []string{"vm.yaml", "--once", "--rounds", "2"}, wantErr: "none of the others can be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			var got *ProbeOptions
			cmd := NewCmdProbe(f, func(o *ProbeOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			got.IO = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options %+v,\nwant %+v", *got, tt.want)
			}
		})
	}
}

// probeVM is a VM whose readiness probe is an httpGet of /healthz on 1500
// and whose liveness probe runs command through qemu-guest-agent.
func probeVM(name string, command string) string {
	return vm(name, "", `      readinessProbe:
        initialDelaySeconds: 5
        httpGet:
          path: /healthz
          port: 1500
          httpHeaders:
          - name: Host
            value: web.example.com
      livenessProbe:
        periodSeconds: 10
        failureThreshold: 2
        exec:
          command: ["/bin/sh", "-c", "`+command+`"]
`)
}

// events reads JSON lines.
func events(t *testing.T, out string) []prober.Event {
	t.Helper()
	var evs []prober.Event
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e prober.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		evs = append(evs, e)
	}
	return evs
}

func healthServer(t *testing.T, status int) (port string, hosts chan string) {
	hosts = make(chan string, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts <- r.Host + " " + r.URL.Path + " " + r.UserAgent()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port), hosts
}

// TestProbeRunOnce runs the guest helper's invocation end to end: a real
// HTTP server behind --address, a stand-in agent behind --qga.
func TestProbeRunOnce(t *testing.T) {
	agent := qgatest.Start(t, qgatest.Options{})
	for _, tt := range []struct {
		name     string
		status   int
		command  string
		wantCode int
		want     []prober.Outcome
	}{
		{"healthy", 200, "exit 0", ExitOK, []prober.Outcome{prober.Success, prober.Success}},
		{"http 500", 500, "exit 0", ExitFindings, []prober.Outcome{prober.Failure, prober.Success}},
		{"exec fails", 204, "exit 3", ExitFindings, []prober.Outcome{prober.Success, prober.Failure}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			port, hosts := healthServer(t, tt.status)
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"vm.yaml": probeVM("web", tt.command)})
			f, _, _, _ := testFactory(t)
			code, stdout, stderr := run(t, f, "probe", filepath.Join(dir, "vm.yaml"), "--address", "127.0.0.1:"+port,
				"--qga", "unix:"+agent.Path, "--once", "-o", "json")
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s%s", code, tt.wantCode, stdout, stderr)
			}
			var got []prober.Outcome
			evs := events(t, stdout)
			for _, e := range evs {
				if e.Event == prober.EventAttempt {
					got = append(got, e.Result)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("outcomes %v, want %v", got, tt.want)
			}
			if last := evs[len(evs)-1]; last.Event != prober.EventEnd || *last.OK != (tt.wantCode == ExitOK) {
				t.Errorf("last event %+v", last)
			}
			if h := <-hosts; h != "web.example.com /healthz kube-probe/"+fallbackKubeMinor {
				t.Errorf("server saw %q", h)
			}
		})
	}
}

func TestProbeRunText(t *testing.T) {
	port, _ := healthServer(t, 200)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"vm.yaml": probeVM("web", "exit 0")})
	f, _, _, _ := testFactory(t)
	code, stdout, stderr := run(t, f, "probe", filepath.Join(dir, "vm.yaml"), "--address", "127.0.0.1:"+port, "--probe", "readiness", "--once")
	if code != ExitOK {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`readiness httpGet: GET http://127\.0\.0\.1:\d+/healthz \(Host: web\.example\.com\); once, no delay`),
		regexp.MustCompile(`readiness #1   success +\d+ms  HTTP 200`),
		regexp.MustCompile(`readiness NotReady → Ready`),
		regexp.MustCompile(`end \(once\): VirtualMachine/web: Ready PASS`),
	} {
		if !want.MatchString(stdout) {
			t.Errorf("output lacks %s:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "liveness") {
		t.Errorf("--probe readiness ran liveness:\n%s", stdout)
	}
}

// stepClock moves only when the run sleeps.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }
func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

// TestProbeRunSchedule runs the real schedule on a clock that does not
// wait: readiness (initialDelaySeconds 5 + KubeVirt's 10) first goes out on
// the tick at 20 s; liveness fails twice in a row and ends the run.
// Attempts due at the same moment run readiness first.
func TestProbeRunSchedule(t *testing.T) {
	agent := qgatest.Start(t, qgatest.Options{})
	port, _ := healthServer(t, 200)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"vm.yaml": probeVM("web", "exit 1")})
	for _, tt := range []struct {
		delay      string
		wantReady  []float64
		wantKilled float64
	}{
		// liveness (no initialDelaySeconds) fails at 10 and 20 s; readiness's
		// first tick at or after 15 s is the one at 20 s, before liveness's.
		{"true", []float64{20}, 20},
		// liveness fails at 0 and 10 s; readiness's first tick after 5 s is at 10 s.
		{"false", []float64{10}, 10},
	} {
		f, _, stdout, stderr := testFactory(t)
		var cmd *cobra.Command
		cmd = NewCmdProbe(f, func(o *ProbeOptions) error {
			o.Clock = &stepClock{now: time.Unix(1e9, 0)}
			return probeRun(o, cmd)
		})
		cmd.SetArgs([]string{filepath.Join(dir, "vm.yaml"), "--address", "127.0.0.1:" + port, "--qga", "unix:" + agent.Path,
			"-o", "json", "--kubevirt-delay=" + tt.delay})
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.ExecuteContext(context.Background()); err != errProbeFailed {
			t.Fatalf("delay %s: got %v, want errProbeFailed: %s", tt.delay, err, stderr)
		}
		var ready []float64
		killed := -1.0
		for _, e := range events(t, stdout.String()) {
			if e.Event == prober.EventAttempt && e.Probe == prober.Readiness {
				ready = append(ready, e.Elapsed)
			}
			if e.Event == prober.EventTransition && e.To == prober.StateKilled {
				killed = e.Elapsed
			}
		}
		if !slices.Equal(ready, tt.wantReady) || killed != tt.wantKilled {
			t.Errorf("kubevirt-delay=%s: readiness at %v, killed at %v; want %v and %v", tt.delay, ready, killed, tt.wantReady, tt.wantKilled)
		}
	}
}

func TestProbeInputErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"vm.yaml":     probeVM("web", "exit 0"),
		"two.yaml":    probeVM("a", "exit 0") + "---\n" + probeVM("b", "exit 0"),
		"broken.yaml": "apiVersion: kubevirt.io/v1\nkind: [\n",
		"none.yaml":   vm("plain", "", ""),
	})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no address", []string{"vm.yaml", "--qga", "unix:/nonexistent"}, "give --address host[:port]"},
		{"no agent", []string{"vm.yaml", "--address", "127.0.0.1"}, "give --qga unix:PATH"},
		{"two objects", []string{"two.yaml", "--address", "127.0.0.1"}, "2 objects have probes (VirtualMachine/a, VirtualMachine/b): pick one with --name"},
		{"unknown name", []string{"two.yaml", "--name", "c"}, `no object called "c"`},
		{"yaml error", []string{"broken.yaml"}, "broken.yaml:3:1: YAML syntax error"},
		{"no probes", []string{"none.yaml"}, "no VirtualMachine or VMI with a readiness or liveness probe"},
		{"no such file", []string{"missing.yaml"}, "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			args := append([]string{"probe"}, tt.args...)
			args[1] = filepath.Join(dir, args[1])
			code, _, stderr := run(t, f, args...)
			if code != ExitError || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, tt.want)
			}
			if usage := strings.Contains(stderr, "--help"); usage != strings.HasPrefix(tt.want, "give --") {
				t.Errorf("stderr %q: only usage errors point at --help", stderr)
			}
		})
	}
	// --name picks one of several.
	f, _, _, _ := testFactory(t)
	port, _ := healthServer(t, 200)
	if code, out, stderr := run(t, f, "probe", filepath.Join(dir, "two.yaml"), "--name", "VirtualMachine/b", "--probe", "readiness",
		"--address", "127.0.0.1:"+port, "--once"); code != ExitOK || !strings.Contains(out, "VirtualMachine/b") {
		t.Errorf("--name: exit %d: %s%s", code, out, stderr)
	}
}

// TestFallbackKubeMinor keeps the User-Agent of binaries without build
// information in step with the k8s.io/api that go.mod pins.
func TestFallbackKubeMinor(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/api (v\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod does not require k8s.io/api")
	}
	got, ok := kubeMinor(&debug.Module{Path: "k8s.io/api", Version: string(m[1])})
	if !ok || got != fallbackKubeMinor {
		t.Errorf("go.mod has k8s.io/api %s, which is Kubernetes %s; fallbackKubeMinor is %s", m[1], got, fallbackKubeMinor)
	}
	f, _, _, _ := testFactory(t)
	f.BuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Deps: []*debug.Module{{Path: "k8s.io/api", Version: "v0.41.0"}}}, true
	}
	if ua := kubeProbeUserAgent(f); ua != "kube-probe/1.41" {
		t.Errorf("User-Agent %q from build info, want kube-probe/1.41", ua)
	}
}

// FuzzParseAddress: any --address either fails or gives a host and a port
// of 0 (keep the probe's) or 1–65535.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.0.0.1:1500", "[::1]:80", "::1", ":80", "host:0", "a:b:c", "[", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, port, err := parseAddress(s)
		if err != nil {
			return
		}
		if host == "" || port < 0 || port > 65535 {
			t.Errorf("parseAddress(%q) = %q, %d", s, host, port)
		}
	})
}
