package guest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmhealth/vmhealth/internal/qga"
)

// image is the guest built by hack/guestimage.sh.
type image struct {
	kernel, initrd, root string
}

// vmConfig is how one boot of the guest is started.
type vmConfig struct {
	disk, seed string
	// action is QEMU's -action watchdog= value.
	action string
	// forward maps guest TCP ports to the host ports QEMU listens on.
	forward map[int32]int
}

// vm is one running QEMU.
type vm struct {
	t       *testing.T
	cmd     *exec.Cmd
	qmp     *qmp
	qgaPath string
	console string
	exited  chan struct{}
	accel   string
}

// accelerators are tried in order: KVM when /dev/kvm opens, first with
// the host's CPU, then without the IA32_ARCH_CAPABILITIES MSR (on some
// nested hosts qemu 7.2 with -cpu host aborts setting MSR 0x10a), and
// TCG when neither starts.
func accelerators() [][]string {
	var out [][]string
	if f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0); err == nil {
		f.Close()
		out = append(out,
			[]string{"-accel", "kvm", "-cpu", "host"},
			[]string{"-accel", "kvm", "-cpu", "host,-arch-capabilities"})
	}
	// TCG with QEMU's default CPU model: with -cpu max the kernel's
	// decompressor ran for minutes here without getting anywhere.
	return append(out, []string{"-accel", "tcg"})
}

// broken remembers the accelerators that did not start, so later boots
// go straight to one that works.
var broken = map[string]bool{}

// boot starts QEMU and connects to its QMP socket.
func boot(t *testing.T, img image, cfg vmConfig) *vm {
	t.Helper()
	dir := t.TempDir()
	var lastErr string
	for _, accel := range accelerators() {
		if broken[strings.Join(accel, " ")] {
			continue
		}
		v := &vm{t: t, qgaPath: filepath.Join(dir, "qga.sock"), console: filepath.Join(dir, "console.log"),
			exited: make(chan struct{}), accel: strings.Join(accel, " ")}
		qmpPath := filepath.Join(dir, "qmp.sock")
		os.Remove(qmpPath)
		os.Remove(v.qgaPath)
		var fwd strings.Builder
		for guest, host := range cfg.forward {
			fmt.Fprintf(&fwd, ",hostfwd=tcp:127.0.0.1:%d-:%d", host, guest)
		}
		args := append([]string{
			"-nodefaults", "-display", "none", "-m", "1024", "-smp", "1",
			"-kernel", img.kernel, "-initrd", img.initrd,
			"-append", "root=/dev/vda rw console=ttyS0 earlyprintk=ttyS0 quiet",
			"-drive", "file=" + cfg.disk + ",if=virtio,format=qcow2",
			"-drive", "file=" + cfg.seed + ",if=virtio,format=raw,readonly=on",
			"-netdev", "user,id=n0" + fwd.String(), "-device", "virtio-net-pci,netdev=n0",
			// The VM's watchdog as KubeVirt gives it to libvirt: i6300esb
			// on the default (pc) machine, which has no second watchdog.
			"-device", "i6300esb", "-action", "watchdog=" + cfg.action,
			"-device", "virtio-serial",
			"-chardev", "socket,path=" + v.qgaPath + ",server=on,wait=off,id=qga0",
			"-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
			"-qmp", "unix:" + qmpPath + ",server=on,wait=off",
			"-serial", "file:" + v.console,
		}, accel...)
		var stderr bytes.Buffer
		v.cmd = exec.Command("qemu-system-x86_64", args...)
		v.cmd.Stderr = &stderr
		if err := v.cmd.Start(); err != nil {
			t.Fatalf("starting qemu: %v", err)
		}
		go func() { _ = v.cmd.Wait(); close(v.exited) }()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		go func() {
			select {
			case <-v.exited: // no point waiting for the socket
				cancel()
			case <-ctx.Done():
			}
		}()
		q, err := dialQMP(ctx, qmpPath)
		cancel()
		if err == nil && accel[1] == "kvm" && !v.printsSoon(20*time.Second) {
			// Seen here: with -cpu host,-arch-capabilities QEMU runs but
			// the guest never gets to its first console line.
			q.close()
			_ = v.cmd.Process.Kill()
			<-v.exited
			err = fmt.Errorf("the guest printed nothing on its console in 20 s")
		} else if err == nil {
			// A KVM start that aborts does so within a second or two.
			select {
			case <-v.exited:
				q.close()
			case <-time.After(3 * time.Second):
				v.qmp = q
				if accel[1] == "tcg" {
					t.Logf("NO KVM: QEMU RUNS WITH TCG, EXPECT MINUTES A BOOT (watchdog action %s)", cfg.action)
				} else {
					t.Logf("qemu running with %s (watchdog action %s)", v.accel, cfg.action)
				}
				t.Cleanup(v.stop)
				return v
			}
		} else {
			_ = v.cmd.Process.Kill()
			<-v.exited
		}
		lastErr = fmt.Sprintf("qemu with %s: %v: %s", v.accel, err, strings.TrimSpace(stderr.String()))
		broken[v.accel] = true
		t.Logf("QEMU DOES NOT START WITH %s, TRYING THE NEXT ACCELERATOR (TCG is slow: minutes a boot): %s", v.accel, lastErr)
	}
	t.Fatalf("qemu does not start: %s", lastErr)
	return nil
}

// printsSoon reports whether the guest writes to its serial console
// within d, which a kernel does within a second when it runs at all.
func (v *vm) printsSoon(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(v.console); err == nil && fi.Size() > 0 {
			return true
		}
		select {
		case <-v.exited:
			return false
		case <-time.After(200 * time.Millisecond):
		}
	}
	return false
}

// stop ends QEMU if it still runs and, when the test failed, shows the
// end of the serial console.
func (v *vm) stop() {
	select {
	case <-v.exited:
	default:
		_ = v.cmd.Process.Kill()
		<-v.exited
	}
	v.qmp.close()
	if v.t.Failed() {
		if b, err := os.ReadFile(v.console); err == nil {
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			v.t.Logf("end of the guest's serial console:\n%s", b)
		}
	}
}

// agent waits until qemu-guest-agent answers guest-ping and returns a
// client.
func (v *vm) agent(ctx context.Context) *qga.Client {
	v.t.Helper()
	var last error
	for {
		select {
		case <-v.exited:
			v.t.Fatalf("qemu exited while waiting for qemu-guest-agent (last: %v)", last)
		default:
		}
		c, err := qga.Dial(ctx, "unix", v.qgaPath)
		if err == nil {
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = c.Ping(pctx)
			cancel()
			if err == nil {
				return c
			}
			c.Close()
		}
		last = err
		select {
		case <-ctx.Done():
			v.t.Fatalf("qemu-guest-agent does not answer: %v (%v)", last, ctx.Err())
		case <-time.After(2 * time.Second):
		}
	}
}

// sh runs a shell command in the guest through qemu-guest-agent.
func sh(ctx context.Context, c *qga.Client, script string) (qga.ExecResult, error) {
	return c.Exec(ctx, "/bin/sh", []string{"-c", script})
}

// mustSh runs script in the guest and fails the test unless it exits 0;
// it returns the standard output.
func mustSh(t *testing.T, ctx context.Context, c *qga.Client, script string) string {
	t.Helper()
	res, err := sh(ctx, c, script)
	if err != nil {
		t.Fatalf("guest: %s: %v", script, err)
	}
	if res.ExitCode != 0 || res.Signal != 0 {
		t.Fatalf("guest: %s: exit %d signal %d\nstdout: %s\nstderr: %s", script, res.ExitCode, res.Signal, res.Stdout, res.Stderr)
	}
	return string(res.Stdout)
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
