#!/usr/bin/env bash
# Builds the Debian 12 guest that test/guest boots: a kernel, an initrd and
# an ext4 root image with cloud-init, qemu-guest-agent, watchdog and python3,
# into .cache/guest/<key>/ (or $VMHEALTH_GUEST_CACHE/<key>/), where <key> is
# a hash of the recipe: the suite, the package list and the configure
# function (`guestimage.sh --key` prints it; test/guest uses that to refuse
# a stale image). A cache hit costs nothing; a cold build runs debootstrap
# (about 4 minutes here, more on a loaded machine).
#
# Also installs, with apt-get, what the build and the test need and the
# machine lacks: qemu-system-x86, qemu-utils, debootstrap, genisoimage.
# The Debian mirror is the one apt on this machine is configured with, read
# from /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list at run
# time. Needs root (or sudo) for apt-get and debootstrap.
#
# Set VMHEALTH_GUEST_FORCE=1 to rebuild anyway, VMHEALTH_GUEST=0 to skip.
set -euo pipefail

# The packages of the guest. debootstrap does not resolve virtual packages:
# python3-cffi-backend is what python3-cryptography (of cloud-init) needs
# through one. ifupdown and isc-dhcp-client carry cloud-init's DHCP
# fallback network; pciutils gives lspci for the documented checks; dbus
# lets systemd-logind run, which turns the ACPI power button (the watchdog
# action shutdown) into a clean shutdown, as in Debian's cloud images.
GUEST_PACKAGES=(
	cloud-init python3-cffi-backend qemu-guest-agent watchdog python3
	linux-image-amd64 systemd-sysv udev kmod procps iproute2 ifupdown
	isc-dhcp-client netbase ca-certificates pciutils dbus
)
SUITE=bookworm
# What the host needs, by command.
HOST_PACKAGES=(
	qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils
	debootstrap:debootstrap genisoimage:genisoimage mke2fs:e2fsprogs
)

# Everything is inside main, which bash parses whole before running it, so
# editing this file during a build does not change the running copy.
main() {
	log() { printf 'guestimage: %s\n' "$*" >&2; }
	if [[ "${VMHEALTH_GUEST:-}" == 0 ]]; then
		log "VMHEALTH_GUEST=0: not building the guest image"
		exit 0
	fi
	root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
	cache="${VMHEALTH_GUEST_CACHE:-.cache/guest}"
	[[ "$cache" == /* ]] || cache="$root/$cache"
	key="$(recipe | sha256sum | cut -c1-16)"
	out="$cache/$key"
	if [[ "${1:-}" == --key ]]; then
		printf '%s\n' "$key"
		exit 0
	fi

	sudo=
	if [[ "$(id -u)" != 0 ]]; then
		command -v sudo >/dev/null || { log "needs root or sudo for apt-get and debootstrap"; exit 1; }
		sudo=sudo
	fi

	missing=()
	for pair in "${HOST_PACKAGES[@]}"; do
		command -v "${pair%%:*}" >/dev/null || PATH="$PATH:/usr/sbin:/sbin" command -v "${pair%%:*}" >/dev/null ||
			missing+=("${pair#*:}")
	done
	if ((${#missing[@]})); then
		log "installing ${missing[*]} with apt-get"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
	fi

	mkdir -p "$cache"
	# Two runs at once would both build: let one wait.
	exec 9>"$cache/.lock"
	flock 9
	if [[ "${VMHEALTH_GUEST_FORCE:-}" != 1 && -f "$out/done" ]]; then
		log "guest image $out is up to date"
		printf '%s\n' "$key" >"$cache/current"
		exit 0
	fi

	mirror="$(apt_mirror)"
	[[ -n "$mirror" ]] || { log "no Debian mirror found in the apt configuration"; exit 1; }
	log "building the Debian $SUITE guest into $out from the mirror apt uses (cold: about 4 minutes)"
	start=$SECONDS
	tmp="$(mktemp -d "$cache/.build.XXXXXX")"
	# debootstrap mounts /proc and /sys in the root while it works; a
	# failed run may leave them mounted.
	trap '$sudo umount "$tmp/root/proc" "$tmp/root/sys" 2>/dev/null; $sudo rm -rf "$tmp"' EXIT
	rootfs="$tmp/root"
	inc="$(
		IFS=,
		echo "${GUEST_PACKAGES[*]}"
	)"
	PATH="$PATH:/usr/sbin:/sbin" $sudo debootstrap --variant=minbase --include="$inc" "$SUITE" "$rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
		tail -n 30 "$tmp/debootstrap.log" >&2
		exit 1
	}
	configure "$rootfs"
	kernel="$(cd "$rootfs/boot" && ls vmlinuz-* | sort -V | tail -n1)"
	$sudo cp "$rootfs/boot/$kernel" "$tmp/vmlinuz"
	$sudo cp "$rootfs/boot/initrd.img-${kernel#vmlinuz-}" "$tmp/initrd.img"
	# An ext4 image filled from the directory: no loop mount, no partition
	# table; the kernel mounts /dev/vda as its root.
	$sudo rm -rf "$rootfs/var/cache/apt/archives/"*.deb
	PATH="$PATH:/usr/sbin:/sbin" $sudo mke2fs -q -t ext4 -L root -d "$rootfs" "$tmp/root.img" 4G
	$sudo chown "$(id -u):$(id -g)" "$tmp/vmlinuz" "$tmp/initrd.img" "$tmp/root.img"
	$sudo rm -rf "$rootfs"
	printf '%s\n' "${GUEST_PACKAGES[@]}" >"$tmp/packages"
	date -u +%FT%TZ >"$tmp/done"
	rm -rf "$out"
	mv "$tmp" "$out"
	trap - EXIT
	printf '%s\n' "$key" >"$cache/current"
	# Older keys are stale images.
	for d in "$cache"/*/; do
		[[ "$(basename "$d")" == "$key" ]] || rm -rf "$d"
	done
	log "done in $((SECONDS - start))s"
}

# recipe is what decides the image: anything that changes it must be here.
recipe() {
	printf '%s\n' "$SUITE" "${GUEST_PACKAGES[@]}"
	declare -f configure
}

# apt_mirror prints the first Debian archive URI apt is configured with
# (deb822 .sources first, then one-line sources.list), not the security
# archive.
apt_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f "$f" ]] || continue
		awk '
			/^[[:space:]]*$/ { if (uri != "" && deb && suite) { print uri; exit } uri=""; deb=0; suite=0; next }
			/^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb=1 }
			/^URIs:/ { if ($2 !~ /security/) uri=$2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i ~ /^(bookworm|stable|trixie|testing|sid|unstable)$/) suite=1 }
			END { if (uri != "" && deb && suite) print uri }
		' "$f" | head -n1
	done | head -n1 | grep . && return
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f "$f" ]] || continue
		awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f"
	done | head -n1
}

# configure makes the root bootable as the test boots it: root on /dev/vda,
# cloud-init reading only the NoCloud seed, no locale module (a minbase
# root has no locales), a serial console.
configure() {
	local r="$1"
	$sudo tee "$r/etc/fstab" >/dev/null <<-'EOF'
		/dev/vda / ext4 defaults,errors=remount-ro 0 1
	EOF
	$sudo tee "$r/etc/cloud/cloud.cfg.d/90-vmhealth-test.cfg" >/dev/null <<-'EOF'
		# The test boots a NoCloud seed; do not probe other datasources.
		datasource_list: [NoCloud, None]
		# No locales in a minbase root.
		locale: false
		# Keep the emptied package sources (below) as they are.
		apt:
		  preserve_sources_list: true
	EOF
	printf 'vmhealth-guest\n' | $sudo tee "$r/etc/hostname" >/dev/null
	# No package sources in the booted guest: every package the user data
	# installs is in the image already (apt-get install then says "already
	# the newest version"), and under TCG the `apt-get update` of gen's
	# runcmd would fetch and parse Debian's whole index, about 15 minutes
	# a boot. The commands still run; they only have nothing to fetch.
	$sudo tee "$r/etc/apt/sources.list" >/dev/null <<-'EOF'
		# Emptied by hack/guestimage.sh: the test guest installs nothing new.
	EOF
	$sudo rm -f "$r/etc/apt/sources.list.d/"*
	# Logins on the serial console help whoever debugs a boot by hand.
	$sudo chroot "$r" passwd -d root >/dev/null
}

main "$@"
exit
