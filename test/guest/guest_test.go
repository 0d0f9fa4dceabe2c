// Package guest boots the guest side that vmhealth gen --cloud-init writes
// in a real Debian 12 VM under QEMU and checks that it works: the probe
// server answers (and fails on purpose), qemu-guest-agent runs exec and
// ping, the watchdog daemon holds the i6300esb device, and killing the
// daemon makes QEMU carry out the stanza's watchdog action. See
// docs/guest.md.
package guest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vmhealth/vmhealth/internal/qga"
)

// EnvGuest set to 1 (make test does) makes a missing image or QEMU a
// failure instead of a skip.
const EnvGuest = "VMHEALTH_GUEST"

// The probes of the three boots, as gen flags. Boot 1 has the HTTP and TCP
// probes, boots 2 and 3 the exec and guestAgentPing ones; each boot has
// its own watchdog action.
var boots = []struct {
	name   string
	action string // KubeVirt's watchdog action
	flags  []string
	// http and tcp are the guest ports of the boot's httpGet and tcpSocket
	// probes, 0 for none.
	http, tcp int32
	exec      string
}{
	{name: "http-tcp-poweroff", action: "poweroff", http: 1500, tcp: 1501,
		flags: []string{"--readiness", "http:1500/healthz", "--liveness", "tcp:1501", "--liveness-initial-delay", "120"}},
	{name: "exec-ping-reset", action: "reset", exec: "cat /etc/hostname",
		flags: []string{"--readiness", "exec:cat /etc/hostname", "--liveness", "guest-agent-ping", "--liveness-initial-delay", "120"}},
	{name: "exec-ping-shutdown", action: "shutdown", exec: "cat /etc/hostname",
		flags: []string{"--readiness", "exec:cat /etc/hostname", "--liveness", "guest-agent-ping"}},
}

// qemuAction maps KubeVirt's watchdog action to QEMU's. KubeVirt hands
// the action to libvirt under the same name and libvirt to QEMU under the
// same name again: poweroff stops the VM at once, reset reboots it, and
// shutdown asks the guest to shut down (ACPI power button).
func qemuAction(kubevirt string) string {
	switch kubevirt {
	case "poweroff", "reset", "shutdown":
		return kubevirt
	}
	return ""
}

// How long the watchdog may take to fire once feeding stops: Debian's
// daemon sets the device timeout to 60 s; QEMU's i6300esb fires in its
// second stage, a little after that.
const watchdogTimeout = 60 * time.Second

func TestGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("boots a VM three times (minutes under TCG)")
	}
	if os.Getenv(EnvGuest) == "0" {
		t.Skip("VMHEALTH_GUEST=0: NOT BOOTING THE REAL GUEST")
	}
	root := repoRoot(t)
	img := findImage(t, root)
	bin := buildVmhealth(t, root)
	dir := t.TempDir()
	disk := filepath.Join(dir, "disk.qcow2")
	run(t, "qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", img.root, disk)

	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Minute)
	defer cancel()
	for i, b := range boots {
		if !t.Run(b.name, func(t *testing.T) { testBoot(t, ctx, bin, img, disk, i) }) {
			// The next boot starts from the disk this one left.
			t.Fatal("later boots depend on this one")
		}
	}
}

// testBoot boots the disk with the user data gen writes for boots[i] and
// runs every check of the boot.
func testBoot(t *testing.T, ctx context.Context, bin string, img image, disk string, i int) {
	b := boots[i]
	args := append([]string{"gen"}, b.flags...)
	args = append(args, "--watchdog", b.action, "--cloud-init", "--guest-os", "debian")
	userData := runOut(t, bin, args...)
	t.Logf("user data: vmhealth %s", strings.Join(args, " "))
	// A new instance-id a boot makes cloud-init apply this boot's user
	// data to the disk the last boot left, as it would for a new VM.
	seed := makeSeed(t, userData, fmt.Sprintf("vmhealth-test-%d", i))

	fwd := map[int32]int{}
	for _, p := range []int32{b.http, b.tcp} {
		if p != 0 {
			fwd[p] = freePort(t)
		}
	}
	start := time.Now()
	v := boot(t, img, vmConfig{disk: disk, seed: seed, action: qemuAction(b.action), forward: fwd})
	c := v.agent(ctx)
	defer func() { c.Close() }()
	t.Logf("qemu-guest-agent answered guest-ping %s after start", time.Since(start).Round(time.Second))
	c = waitCloudInit(t, ctx, v, c)
	t.Logf("cloud-init done %s after start", time.Since(start).Round(time.Second))
	// gen's user data against the guest's own cloud-init schema (the
	// system configuration of the test image is not part of it).
	if res, err := sh(ctx, c, "cloud-init schema --config-file /var/lib/cloud/instance/user-data.txt"); err != nil || res.ExitCode != 0 {
		t.Errorf("cloud-init schema of gen's user data: %v exit %d\n%s%s", err, res.ExitCode, res.Stdout, res.Stderr)
	}

	if b.http != 0 {
		checkHTTP(t, ctx, c, fwd[b.http], "/healthz")
	}
	if b.tcp != 0 {
		checkTCP(t, fwd[b.tcp])
	}
	if b.exec != "" {
		checkExec(t, ctx, c, b.exec)
	}
	// The generated VM's own probes, run by vmhealth probe as the kubelet
	// and virt-probe would.
	manifest := vmManifest(t, bin, args)
	if b.http != 0 {
		addr := fmt.Sprintf("--address=127.0.0.1:%d", fwd[b.http])
		if code, _ := vmhealthProbe(t, bin, manifest, addr, "--probe=readiness"); code != 0 {
			t.Errorf("vmhealth probe of the readiness probe: exit %d, want 0", code)
		}
		mustSh(t, ctx, c, "touch /run/vmhealth-probe-fail")
		if code, _ := vmhealthProbe(t, bin, manifest, addr, "--probe=readiness"); code == 0 {
			t.Errorf("vmhealth probe with the fail switch set: exit 0, want a failure")
		}
		mustSh(t, ctx, c, "rm /run/vmhealth-probe-fail")
		if code, _ := vmhealthProbe(t, bin, manifest, fmt.Sprintf("--address=127.0.0.1:%d", fwd[b.tcp]), "--probe=liveness"); code != 0 {
			t.Errorf("vmhealth probe of the tcpSocket liveness probe: exit %d, want 0", code)
		}
	} else {
		// QEMU's agent socket takes one client at a time.
		c.Close()
		if code, _ := vmhealthProbe(t, bin, manifest, "--qga=unix:"+v.qgaPath); code != 0 {
			t.Errorf("vmhealth probe of the exec and guestAgentPing probes: exit %d, want 0", code)
		}
		c = v.agent(ctx)
	}
	checkWatchdogArmed(t, ctx, c)
	res, _ := sh(ctx, c, "systemctl is-active systemd-logind")
	logind := strings.TrimSpace(string(res.Stdout)) == "active"

	fired := killWatchdog(t, ctx, v, c, b.action)
	switch b.action {
	case "poweroff":
		waitExit(t, v, 30*time.Second)
	case "shutdown":
		// QEMU presses the ACPI power button (its POWERDOWN event); the
		// guest's systemd-logind shuts it down and QEMU exits.
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := v.qmp.waitEvent(pctx, "POWERDOWN", 0)
		cancel()
		if err != nil {
			t.Errorf("watchdog action shutdown: %v", err)
		}
		if !logind {
			// The power button is logind's to handle; the image has
			// dbus so that logind runs, as in Debian's cloud images.
			t.Errorf("systemd-logind is not running in the guest: nothing handles the power button; powering it off through the agent")
			_, _ = sh(ctx, c, "sync; systemctl poweroff")
		}
		waitExit(t, v, 5*time.Minute)
	case "reset":
		// The guest reboots: everything must be armed again by itself.
		c.Close()
		c = v.agent(ctx)
		t.Logf("guest back %s after the reset", time.Since(fired).Round(time.Second))
		waitBootDone(t, ctx, c)
		checkWatchdogArmed(t, ctx, c)
		checkExec(t, ctx, c, b.exec)
		if err := c.Ping(ctx); err != nil {
			t.Errorf("guest-ping after the reset: %v", err)
		}
		// The probe server of boot 1 is still installed and runs again.
		res := mustSh(t, ctx, c, "systemctl is-active vmhealth-probe-1500.service vmhealth-probe-1501.service")
		if strings.Count(res, "active") != 2 {
			t.Errorf("probe servers after the reset: %q", res)
		}
		checkGuestHTTP(t, ctx, c, 1500, "/healthz")
		// The agent may not live to answer this.
		_, _ = sh(ctx, c, "sync; systemctl poweroff")
		waitExit(t, v, 3*time.Minute)
	}
}

// killWatchdog runs the documented test, pkill -9 watchdog, and waits for
// QEMU's WATCHDOG event with the stanza's action. It returns when the
// event came.
func killWatchdog(t *testing.T, ctx context.Context, v *vm, c *qga.Client, action string) time.Time {
	t.Helper()
	mustSh(t, ctx, c, "sync")
	before := len(v.qmp.events())
	killed := time.Now()
	res, err := sh(ctx, c, "pkill -9 watchdog")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("pkill -9 watchdog: %v exit %d %s", err, res.ExitCode, res.Stderr)
	}
	wctx, cancel := context.WithTimeout(ctx, watchdogTimeout+30*time.Second)
	defer cancel()
	ev, err := v.qmp.waitEvent(wctx, "WATCHDOG", before)
	if err != nil {
		t.Fatalf("after pkill -9 watchdog: %v (events: %v)", err, eventNames(v.qmp.events()[before:]))
	}
	var data struct {
		Action string `json:"action"`
	}
	_ = json.Unmarshal(ev.Data, &data)
	took := ev.At.Sub(killed)
	t.Logf("WATCHDOG event, action %q, %s after pkill -9 watchdog", data.Action, took.Round(time.Second))
	if data.Action != qemuAction(action) {
		t.Errorf("WATCHDOG action %q, want %q", data.Action, qemuAction(action))
	}
	if took < watchdogTimeout/2 {
		t.Errorf("the watchdog fired after %s, sooner than its timeout (%s): something else fired it", took, watchdogTimeout)
	}
	return ev.At
}

func eventNames(evs []qmpEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Event+string(e.Data))
	}
	return out
}

func waitExit(t *testing.T, v *vm, d time.Duration) {
	t.Helper()
	select {
	case <-v.exited:
	case <-time.After(d):
		t.Fatalf("qemu still runs %s after the watchdog fired (events: %v)", d, eventNames(v.qmp.events()))
	}
}

// waitCloudInit waits for cloud-init to finish and fails on its errors.
// With an exec probe gen's runcmd restarts qemu-guest-agent, and the new
// agent knows nothing of the `cloud-init status --wait` the old one
// started: its guest-exec-status answers "Invalid parameter 'pid'" (or,
// had the old agent died mid-answer, nothing: hence the time limit on each
// try). Then the test connects to the new agent and asks again. It
// returns the client to go on with.
func waitCloudInit(t *testing.T, ctx context.Context, v *vm, c *qga.Client) *qga.Client {
	t.Helper()
	for tries := 1; ; tries++ {
		cctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
		res, err := sh(cctx, c, "cloud-init status --wait --long")
		cancel()
		if err == nil {
			if res.ExitCode != 0 {
				log, _ := sh(ctx, c, "tail -n 40 /var/log/cloud-init-output.log")
				t.Fatalf("cloud-init status: exit %d\n%s\n%s\ncloud-init-output.log:\n%s", res.ExitCode, res.Stdout, res.Stderr, log.Stdout)
			}
			return c
		}
		if ctx.Err() != nil || tries == 4 {
			t.Fatalf("cloud-init status: %v", err)
		}
		t.Logf("cloud-init status: %v; connecting to the agent again (gen's runcmd restarts it)", err)
		c.Close()
		c = v.agent(ctx)
	}
}

// waitBootDone waits until systemd has started everything of this boot.
func waitBootDone(t *testing.T, ctx context.Context, c *qga.Client) {
	t.Helper()
	out := mustSh(t, ctx, c, "systemctl is-system-running --wait || true")
	t.Logf("after reboot: system %s", strings.TrimSpace(out))
}

// checkHTTP probes the guest's probe server through QEMU's host forward,
// then sets the documented fail switch and expects a failure.
func checkHTTP(t *testing.T, ctx context.Context, c *qga.Client, hostPort int, path string) {
	t.Helper()
	url := fmt.Sprintf("http://127.0.0.1:%d%s", hostPort, path)
	client := &http.Client{Timeout: 5 * time.Second}
	get := func() int {
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code < 200 || code > 299 {
		t.Errorf("GET %s: %d, want 2xx", path, code)
	}
	mustSh(t, ctx, c, "touch /run/vmhealth-probe-fail")
	if code := get(); code >= 200 && code < 400 {
		t.Errorf("GET %s with /run/vmhealth-probe-fail: %d, want a failing status", path, code)
	}
	mustSh(t, ctx, c, "rm /run/vmhealth-probe-fail")
	if code := get(); code < 200 || code > 299 {
		t.Errorf("GET %s after removing the fail switch: %d, want 2xx", path, code)
	}
	t.Logf("httpGet %s: 2xx, failing with the fail switch, 2xx again", path)
}

// checkGuestHTTP asks the probe server from inside the guest.
func checkGuestHTTP(t *testing.T, ctx context.Context, c *qga.Client, port int, path string) {
	t.Helper()
	out := mustSh(t, ctx, c, fmt.Sprintf(`python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%d%s").status)'`, port, path))
	if strings.TrimSpace(out) != "200" {
		t.Errorf("GET %s in the guest: %q", path, out)
	}
}

func checkTCP(t *testing.T, hostPort int) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", hostPort), 5*time.Second)
	if err != nil {
		t.Errorf("tcpSocket probe: %v", err)
		return
	}
	// Through QEMU's user network a connect succeeds on the host side
	// even when the guest refuses it: the refusal shows as an immediate
	// close. A listener in the guest keeps the connection open.
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	conn.Close()
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Errorf("tcpSocket probe: the guest closed the connection (%v): nothing listens", err)
		return
	}
	t.Logf("tcpSocket: connected and held open")
}

// checkExec runs the exec probe's command through guest-exec, as
// virt-probe does.
func checkExec(t *testing.T, ctx context.Context, c *qga.Client, command string) {
	t.Helper()
	words := strings.Fields(command)
	res, err := c.Exec(ctx, words[0], words[1:])
	if err != nil {
		t.Fatalf("guest-exec %s: %v", command, err)
	}
	if res.ExitCode != 0 {
		t.Errorf("exec probe %q: exit %d: %s", command, res.ExitCode, res.Stderr)
	}
	if err := c.Ping(ctx); err != nil {
		t.Errorf("guest-ping: %v", err)
	}
	t.Logf("exec probe %q exit 0 through guest-exec; guest-ping answers", command)
}

// checkWatchdogArmed checks that the one watchdog device is the i6300esb,
// that it is active, and that the watchdog daemon (not wd_keepalive) holds
// it open.
func checkWatchdogArmed(t *testing.T, ctx context.Context, c *qga.Client) {
	t.Helper()
	out := mustSh(t, ctx, c, `lspci -n | grep -c 8086:25ab; `+
		`for d in /sys/class/watchdog/*; do echo "$(basename $d) $(cat $d/identity | tr ' ' _) $(cat $d/state)"; done; `+
		`for p in /proc/[0-9]*; do if ls -l $p/fd 2>/dev/null | grep -q '/dev/watchdog'; then echo "holder $(cat $p/comm)"; fi; done`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var devs, holders []string
	for _, l := range lines[1:] {
		if h, ok := strings.CutPrefix(l, "holder "); ok {
			holders = append(holders, h)
		} else {
			devs = append(devs, l)
		}
	}
	if strings.TrimSpace(lines[0]) != "1" {
		t.Errorf("lspci shows %s i6300esb devices (8086:25ab), want 1", lines[0])
	}
	if len(devs) != 1 || !regexp.MustCompile(`^watchdog0 i6300ESB_timer active$`).MatchString(devs[0]) {
		t.Errorf("watchdog devices: %q, want one i6300ESB timer, active", devs)
	}
	if len(holders) != 1 || holders[0] != "watchdog" {
		t.Errorf("processes holding /dev/watchdog: %q, want the watchdog daemon alone", holders)
	}
	if !t.Failed() {
		t.Logf("watchdog armed: %s, held by %s", devs[0], holders[0])
	}
}

// makeSeed writes a NoCloud seed ISO (volume label cidata) with the user
// data as it is.
func makeSeed(t *testing.T, userData, instanceID string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"user-data": userData,
		"meta-data": fmt.Sprintf("instance-id: %s\nlocal-hostname: vmhealth-guest\n", instanceID),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	iso := filepath.Join(t.TempDir(), "seed.iso")
	run(t, "genisoimage", "-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock",
		filepath.Join(dir, "user-data"), filepath.Join(dir, "meta-data"))
	return iso
}

// findImage reads which image hack/guestimage.sh built last. Without one
// the test skips, unless VMHEALTH_GUEST=1 (make test) says it must run.
func findImage(t *testing.T, root string) image {
	t.Helper()
	cache := os.Getenv("VMHEALTH_GUEST_CACHE")
	if cache == "" {
		cache = filepath.Join(root, ".cache", "guest")
	} else if !filepath.IsAbs(cache) {
		cache = filepath.Join(root, cache)
	}
	missing := func(why string) {
		msg := fmt.Sprintf("NO REAL GUEST: %s; run hack/guestimage.sh (make test does)", why)
		if os.Getenv(EnvGuest) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	for _, tool := range []string{"qemu-system-x86_64", "qemu-img", "genisoimage"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(tool + " is not installed")
		}
	}
	key, err := os.ReadFile(filepath.Join(cache, "current"))
	if err != nil {
		missing("no guest image built")
	}
	cmd := exec.Command("bash", filepath.Join(root, "hack", "guestimage.sh"), "--key")
	cmd.Env = append(os.Environ(), EnvGuest+"=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hack/guestimage.sh --key: %v", err)
	}
	want := strings.TrimSpace(string(out))
	if strings.TrimSpace(string(key)) != want {
		missing(fmt.Sprintf("the guest image %s is from another hack/guestimage.sh (want %s)", strings.TrimSpace(string(key)), want))
	}
	d := filepath.Join(cache, want)
	img := image{kernel: filepath.Join(d, "vmlinuz"), initrd: filepath.Join(d, "initrd.img"), root: filepath.Join(d, "root.img")}
	for _, f := range []string{img.kernel, img.initrd, img.root, filepath.Join(d, "done")} {
		if _, err := os.Stat(f); err != nil {
			missing(err.Error())
		}
	}
	return img
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd)) // test/guest
}

// buildVmhealth builds the CLI, whose gen writes the user data.
func buildVmhealth(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vmhealth")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/vmhealth")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func runOut(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}
