package gen

import (
	"errors"
	"fmt"

	v1 "kubevirt.io/api/core/v1"
)

// What the guest side needs beyond installing packages, per OS family.
// docs/guest.md says why each piece is there and which guests were booted.

const (
	// modulesLoadPath makes systemd-modules-load load the watchdog driver
	// at every boot, before the daemon starts. Loading by name is not
	// stopped by a modprobe blacklist, which is how Ubuntu's kernels keep
	// i6300esb from being loaded by udev (/lib/modprobe.d/blacklist_linux_*).
	modulesLoadPath = "/etc/modules-load.d/vmhealth-watchdog.conf"
	// watchdogDropInPath clears OnFailure= of watchdog.service. Debian's
	// and Ubuntu's unit start wd_keepalive when the daemon fails, and
	// wd_keepalive feeds the device for ever: a hung or killed daemon
	// would then never fire the watchdog, which is the whole point of it.
	watchdogDropInPath = "/etc/systemd/system/watchdog.service.d/vmhealth.conf"
	// qgaSysconfig holds the RPC filter of qemu-guest-agent on RHEL,
	// CentOS and Fedora: a block list with guest-exec in it (RHEL 8's
	// BLACKLIST_RPC, --blacklist or --block-rpcs) or an allow list without
	// it (RHEL 9's FILTER_RPC_ARGS="--allow-rpcs=...").
	qgaSysconfig = "/etc/sysconfig/qemu-ga"
)

const watchdogDropIn = `# Written by vmhealth gen. When the watchdog daemon dies, the watchdog
# device must fire; Debian's unit would start wd_keepalive instead, which
# feeds the device for ever.
[Unit]
OnFailure=
`

func modulesLoadConf(module string) string {
	return "# Written by vmhealth gen: the driver of the VM's watchdog device, loaded at\n" +
		"# every boot (a modprobe blacklist does not stop loading by name).\n" + module + "\n"
}

// allowGuestExecCommand edits the qemu-guest-agent RPC filter in file so
// that guest-exec and guest-exec-status, which exec probes need, are
// allowed: they are taken out of a block list and added to an allow list.
// A missing file (other distributions) is left alone.
func allowGuestExecCommand(file string) string {
	return fmt.Sprintf(`if [ -f %[1]s ]; then sed -i -E `+
		`-e '/^[[:space:]]*#/b' `+
		`-e '/(BLACKLIST_RPC=|--blacklist=|--block-rpcs=)/{s/guest-exec-status,?//g;s/guest-exec,?//g;s/,(["[:space:]]|$)/\1/g}' `+
		`-e '/--allow-rpcs=/{/guest-exec-status/!s/--allow-rpcs=([^"[:space:]]*)/--allow-rpcs=\1,guest-exec,guest-exec-status/}' %[1]s; fi`, file)
}

// execProbe reports whether a probe of the stanza is an exec probe.
func (s *Stanza) execProbe() bool {
	for _, p := range []*v1.Probe{s.Readiness, s.Liveness} {
		if p != nil && p.Exec != nil {
			return true
		}
	}
	return false
}

// ErrWindowsGuest explains why gen writes no guest setup for Windows.
var ErrWindowsGuest = errors.New("gen writes no guest setup for Windows: " +
	"watchdogs do not work for Windows guests (KubeVirt's documentation), so leave --watchdog out; " +
	"for exec and guestAgentPing probes install qemu-guest-agent from the virtio-win drivers, " +
	"and for httpGet and tcpSocket probes run a listener on the probe port and allow it in Windows Firewall; " +
	"use --guest-os only with a Linux guest (see docs/guest.md)")
