package gen

import (
	"fmt"
	"strings"
)

// GuestOS is the operating system in the VM, which decides how packages
// are installed and which container disk a generated VM boots.
type GuestOS string

// Guest operating systems gen writes cloud-init for.
const (
	GuestFedora GuestOS = "fedora"
	GuestRHEL   GuestOS = "rhel"
	GuestCentOS GuestOS = "centos"
	GuestUbuntu GuestOS = "ubuntu"
	GuestDebian GuestOS = "debian"
)

// GuestOSes lists the guest operating systems, for flags and help.
var GuestOSes = []GuestOS{GuestFedora, GuestRHEL, GuestCentOS, GuestUbuntu, GuestDebian}

// ParseGuestOS reads a guest OS name.
func ParseGuestOS(s string) (GuestOS, error) {
	if strings.EqualFold(s, "windows") {
		return "", ErrWindowsGuest
	}
	for _, g := range GuestOSes {
		if string(g) == strings.ToLower(s) {
			return g, nil
		}
	}
	names := make([]string, len(GuestOSes))
	for i, g := range GuestOSes {
		names[i] = string(g)
	}
	return "", fmt.Errorf("unknown guest OS %q: use %s", s, strings.Join(names, ", "))
}

// DefaultImage is the container disk a generated VM of this OS boots.
// The containerdisks project publishes cloud images with cloud-init for
// all but RHEL, whose guest image comes from Red Hat's registry and needs
// a pull secret.
func (g GuestOS) DefaultImage() string {
	switch g {
	case GuestRHEL:
		return "registry.redhat.io/rhel9/rhel-guest-image:latest"
	case GuestCentOS:
		return "quay.io/containerdisks/centos-stream:9"
	case GuestUbuntu:
		return "quay.io/containerdisks/ubuntu:24.04"
	case GuestDebian:
		return "quay.io/containerdisks/debian:12"
	}
	return "quay.io/containerdisks/fedora:latest"
}

// apt reports whether the OS installs packages with apt.
func (g GuestOS) apt() bool { return g == GuestUbuntu || g == GuestDebian }

// installCommands returns the shell commands that install pkgs: dnf on
// Fedora, yum on RHEL and CentOS (yum is dnf there since version 8 and
// still works on 7), apt-get on Ubuntu and Debian.
func (g GuestOS) installCommands(pkgs []string) []string {
	list := strings.Join(pkgs, " ")
	switch {
	case g.apt():
		return []string{
			"apt-get update",
			"DEBIAN_FRONTEND=noninteractive apt-get install -y " + list,
		}
	case g == GuestFedora:
		return []string{"dnf install -y " + list}
	}
	return []string{"yum install -y " + list}
}

// openPortCommand opens a TCP port in the guest's firewall when the
// firewall is running: firewalld on the Red Hat family, ufw on the
// Debian family. Cloud images ship with both off, but hardened ones
// do not, and a closed port fails the probe as surely as a dead service.
func (g GuestOS) openPortCommand(port int32) string {
	if g.apt() {
		return fmt.Sprintf("if command -v ufw >/dev/null && ufw status | grep -q 'Status: active'; then ufw allow %d/tcp; fi", port)
	}
	return fmt.Sprintf("if systemctl is-active --quiet firewalld; then firewall-cmd --add-port=%d/tcp && firewall-cmd --permanent --add-port=%d/tcp; fi", port, port)
}
