package gen

import (
	_ "embed"
	"errors"
	"fmt"
	"github.com/vmhealth/vmhealth/internal/yamledit"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

// The guest side of the health checks. KubeVirt's probes and watchdog do
// nothing useful unless the guest answers them: an HTTP or TCP probe needs
// a listener on the probe port, exec and guestAgentPing need
// qemu-guest-agent, and the watchdog device needs a daemon that opens
// /dev/watchdog and keeps writing to it (until then the device is not even
// armed).

//go:embed assets/vmhealth-probe-server.py
var probeServer string

// Where the guest side lives in the guest.
const (
	probeServerPath = "/usr/local/libexec/vmhealth-probe-server"
	unitDir         = "/etc/systemd/system/"
	cloudConfigHead = "#cloud-config"
	sshPort         = 22
)

// CloudConfig is the guest side of a stanza as cloud-init cloud-config:
// files to write and commands to run on first boot.
type CloudConfig struct {
	// About says, a line each, what the parts are for; they become
	// comments at the top.
	About      []string
	WriteFiles []CloudFile
	RunCmd     []string
}

// CloudFile is an entry of cloud-config's write_files.
type CloudFile struct {
	Path        string
	Permissions string
	Content     string
}

// endpoint is one port the guest must listen on for the probes.
type endpoint struct {
	port   int32
	tls    bool
	paths  []string // HTTP paths to answer; none for a TCP-only port
	probes []string // readinessProbe, livenessProbe
}

// CloudConfig returns what the guest needs for the stanza's health checks
// to work:
//   - for httpGet and tcpSocket probes, a small HTTP server
//     (vmhealth-probe-PORT.service) answering the probe paths on the probe
//     port, with a self-signed certificate for https (a tcpSocket probe of
//     port 22 is left to sshd);
//   - for exec and guestAgentPing probes, qemu-guest-agent;
//   - for the watchdog, the watchdog daemon with watchdog-device =
//     /dev/watchdog in /etc/watchdog.conf, enabled and restarted, its
//     driver loaded at every boot, and no wd_keepalive taking over when
//     the daemon dies (see guestsetup.go).
//
// Packages are installed with dnf, yum or apt-get as fits guestOS, and
// the probe ports are opened in firewalld or ufw when those run.
func (s *Stanza) CloudConfig(guestOS GuestOS) (*CloudConfig, error) {
	if guestOS == "" {
		guestOS = GuestFedora
	}
	if !slices.Contains(GuestOSes, guestOS) {
		return nil, fmt.Errorf("unknown guest OS %q", guestOS)
	}
	endpoints, skipped, err := s.endpoints()
	if err != nil {
		return nil, err
	}
	c := &CloudConfig{}
	var pkgs, setup, enable []string
	if len(endpoints) > 0 {
		pkgs = append(pkgs, "python3")
		c.WriteFiles = append(c.WriteFiles, CloudFile{Path: probeServerPath, Permissions: "0755", Content: probeServer})
		setup = append(setup, "systemctl daemon-reload")
	}
	for _, e := range endpoints {
		unit := fmt.Sprintf("vmhealth-probe-%d.service", e.port)
		what := "TCP connections"
		if len(e.paths) > 0 {
			what = "GET " + strings.Join(e.paths, ", ")
		}
		scheme := "HTTP"
		if e.tls {
			scheme = "HTTPS"
			if !slices.Contains(pkgs, "openssl") {
				pkgs = append(pkgs, "openssl")
			}
		}
		c.About = append(c.About, fmt.Sprintf("%s: %s server on port %d answering %s (%s)",
			strings.Join(e.probes, ", "), scheme, e.port, what, unit))
		c.WriteFiles = append(c.WriteFiles, CloudFile{Path: unitDir + unit, Permissions: "0644", Content: e.unit()})
		setup = append(setup, guestOS.openPortCommand(e.port))
		enable = append(enable, "systemctl enable --now "+unit)
	}
	if agent := s.guestAgentProbes(); len(agent) > 0 {
		pkgs = append(pkgs, "qemu-guest-agent")
		c.About = append(c.About, strings.Join(agent, ", ")+": qemu-guest-agent, through which KubeVirt runs them")
		if s.execProbe() && !guestOS.apt() {
			c.About = append(c.About, "exec probes: guest-exec allowed in "+qgaSysconfig+", which blocks it on the Red Hat family")
			setup = append(setup, allowGuestExecCommand(qgaSysconfig))
		}
		// On some distributions the agent's unit is static (udev starts
		// it), so enable fails there; running it is what matters, and a
		// restart makes it read an edited RPC filter.
		enable = append(enable, "systemctl enable qemu-guest-agent.service || true", "systemctl restart qemu-guest-agent.service")
	}
	if w := s.Watchdog; w != nil {
		pkgs = append(pkgs, "watchdog")
		model := probespec.WatchdogModel(w)
		c.About = append(c.About, fmt.Sprintf("watchdog (%s, action %s): the watchdog daemon, feeding /dev/watchdog", model, watchdogAction(w)))
		module := watchdogModule(model)
		c.WriteFiles = append(c.WriteFiles,
			CloudFile{Path: modulesLoadPath, Permissions: "0644", Content: modulesLoadConf(module)},
			CloudFile{Path: watchdogDropInPath, Permissions: "0644", Content: watchdogDropIn},
		)
		setup = append(setup,
			// Uncomment the line the package ships, or add it.
			`sed -i -E 's|^[#[:space:]]*watchdog-device[[:space:]]*=.*|watchdog-device = /dev/watchdog|' /etc/watchdog.conf`,
			`grep -q '^watchdog-device' /etc/watchdog.conf || echo 'watchdog-device = /dev/watchdog' >> /etc/watchdog.conf`,
			"modprobe "+module+" || true",
			// Debian's watchdog.service fails on stop while run_wd_keepalive=1
			// and then starts wd_keepalive, which holds /dev/watchdog and
			// feeds it for ever (seen in a booted Debian 12 guest: the
			// device held by wd_keepalive, so pkill -9 watchdog never
			// fired). Turn that off, mask it and stop it if it runs, so the
			// daemon can open the device; harmless where there is none.
			`if [ -f /etc/default/watchdog ]; then sed -i -E 's/^run_wd_keepalive=.*/run_wd_keepalive=0/' /etc/default/watchdog; fi`,
			"systemctl mask wd_keepalive.service",
			"systemctl stop wd_keepalive.service || true",
		)
		if !slices.Contains(setup, "systemctl daemon-reload") {
			setup = append(setup, "systemctl daemon-reload")
		}
		// The package may have started the daemon already, with its own
		// configuration and no device: restart, not enable --now, so that
		// it opens /dev/watchdog. --no-block: runcmd runs inside
		// cloud-final.service during boot, and a restart that waits for its
		// job there was seen cancelled in a booted Debian 12 guest, failing
		// runcmd; queued, the restart runs once the boot transaction allows.
		enable = append(enable, "systemctl enable watchdog.service", "systemctl --no-block restart watchdog.service")
	}
	for _, port := range skipped {
		c.About = append(c.About, fmt.Sprintf("tcpSocket probe of port %d: left to sshd, which listens there already", port))
	}
	if len(pkgs) > 0 {
		c.RunCmd = append(c.RunCmd, guestOS.installCommands(pkgs)...)
	}
	c.RunCmd = append(c.RunCmd, setup...)
	c.RunCmd = append(c.RunCmd, enable...)
	return c, nil
}

func watchdogAction(w *v1.Watchdog) v1.WatchdogAction {
	d := probespec.WatchdogDefaulted(w, "")
	switch {
	case d.I6300ESB != nil:
		return d.I6300ESB.Action
	case d.Diag288 != nil:
		return d.Diag288.Action
	}
	return ""
}

// watchdogModule is the Linux driver of a watchdog model. udev loads it
// for the PCI i6300esb device by itself; loading it explicitly makes
// /dev/watchdog exist before the daemon starts.
func watchdogModule(model string) string {
	if model == probespec.ModelDiag288 {
		return "diag288_wdt"
	}
	return "i6300esb"
}

// guestAgentProbes describes the probes that run through
// qemu-guest-agent, as "livenessProbe (exec)".
func (s *Stanza) guestAgentProbes() []string {
	var out []string
	for _, sp := range []struct {
		name  string
		probe *v1.Probe
	}{{"readinessProbe", s.Readiness}, {"livenessProbe", s.Liveness}} {
		if p := sp.probe; p != nil && (p.Exec != nil || p.GuestAgentPing != nil) {
			out = append(out, fmt.Sprintf("%s (%s)", sp.name, probespec.HandlerName(p)))
		}
	}
	return out
}

// endpoints collects the ports the guest must listen on, merging probes
// of the same port. Port 22 probed over TCP is sshd's and comes back in
// skipped.
func (s *Stanza) endpoints() (eps []*endpoint, skipped []int32, err error) {
	for _, sp := range []struct {
		name  string
		probe *v1.Probe
	}{{"readinessProbe", s.Readiness}, {"livenessProbe", s.Liveness}} {
		port, ok := probePort(sp.probe)
		if !ok {
			continue
		}
		num := port.IntVal
		if port.StrVal != "" {
			if num, ok = s.PortNumbers[port.StrVal]; !ok {
				return nil, nil, fmt.Errorf("%s: the number of port %q is not known", sp.name, port.StrVal)
			}
		}
		h := sp.probe.HTTPGet
		if h == nil && num == sshPort {
			if !slices.Contains(skipped, num) {
				skipped = append(skipped, num)
			}
			continue
		}
		var e *endpoint
		for _, x := range eps {
			if x.port == num {
				e = x
			}
		}
		if e == nil {
			e = &endpoint{port: num}
			eps = append(eps, e)
		}
		e.probes = append(e.probes, sp.name)
		if h == nil {
			continue
		}
		tls := h.Scheme == "HTTPS"
		if len(e.paths) > 0 && e.tls != tls {
			return nil, nil, fmt.Errorf("port %d is probed with both HTTP and HTTPS; one server cannot answer both", num)
		}
		e.tls = tls
		path := h.Path
		if path == "" {
			path = "/" // what the kubelet requests
		}
		path, _, _ = strings.Cut(path, "?")
		if !slices.Contains(e.paths, path) {
			e.paths = append(e.paths, path)
		}
	}
	return eps, skipped, nil
}

// unit is the systemd unit running the probe server for e. It runs as a
// transient unprivileged user, allowed to bind ports below 1024.
func (e *endpoint) unit() string {
	args := []string{"/usr/bin/python3", probeServerPath, "--port", fmt.Sprint(e.port)}
	for _, p := range e.paths {
		args = append(args, "--path", p)
	}
	state := fmt.Sprintf("vmhealth-probe-%d", e.port)
	var pre string
	if e.tls {
		dir := "/var/lib/" + state
		args = append(args, "--tls-cert", dir+"/tls.crt", "--tls-key", dir+"/tls.key")
		// The kubelet does not verify the certificate of an https probe,
		// so a self-signed one made on first start is enough.
		pre = fmt.Sprintf("ExecStartPre=/bin/sh -c 'test -s %[1]s/tls.crt || exec openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=vmhealth-probe -keyout %[1]s/tls.key -out %[1]s/tls.crt'\nStateDirectory=%[2]s\n", dir, state)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = systemdQuote(a)
	}
	return fmt.Sprintf(`[Unit]
Description=vmhealth probe endpoint on port %d for %s
After=network-online.target
Wants=network-online.target

[Service]
%sExecStart=%s
DynamicUser=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
`, e.port, strings.Join(e.probes, " and "), pre, strings.Join(quoted, " "))
}

// systemdQuote writes an argument of ExecStart: % and $ are doubled, as
// systemd expands them, and arguments with other special characters are
// double-quoted.
func systemdQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	s = strings.ReplaceAll(s, "$", "$$")
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

// Marshal writes the cloud-config, starting with #cloud-config as
// cloud-init requires.
func (c *CloudConfig) Marshal() ([]byte, error) {
	doc := mapNode()
	if err := c.mergeInto(doc); err != nil {
		return nil, err
	}
	out, err := encodeYAML(doc)
	if err != nil {
		return nil, err
	}
	var head strings.Builder
	head.WriteString(cloudConfigHead + "\n")
	if len(c.About) > 0 {
		head.WriteString("# The guest side of the VM's health checks, written by vmhealth gen:\n")
		for _, a := range c.About {
			head.WriteString("# - " + a + "\n")
		}
	}
	return append([]byte(head.String()), out...), nil
}

// ErrNotCloudConfig is returned by MergeUserData for user data that is not
// cloud-config, such as a shell script.
var ErrNotCloudConfig = errors.New("user data is not cloud-config (it does not start with #cloud-config)")

// MergeUserData adds the cloud-config to existing user data and returns
// the result: files with the same path get the new content, other files
// are kept, and commands not already in runcmd are appended to it. The
// user data is edited the way MergeInto edits a manifest, so its own
// formatting and comments stay as they were. Running it twice changes
// nothing the second time. Empty user data gives Marshal's output.
func (c *CloudConfig) MergeUserData(userData string) (string, error) {
	if strings.TrimSpace(userData) == "" {
		out, err := c.Marshal()
		return string(out), err
	}
	if !strings.HasPrefix(userData, cloudConfigHead) {
		return "", ErrNotCloudConfig
	}
	f, err := yamledit.Parse([]byte(userData))
	if err != nil {
		return "", fmt.Errorf("reading the cloud-config in userData: %w", err)
	}
	if len(f.Docs) != 1 || len(f.Docs[0].Content) != 1 || f.Docs[0].Content[0].Kind != yaml.MappingNode ||
		f.Docs[0].Content[0].Style&yaml.FlowStyle != 0 || len(f.Docs[0].Content[0].Content) == 0 {
		// A cloud-config of comments only: start it afresh below them.
		out, err := c.Marshal()
		if err != nil {
			return "", err
		}
		return strings.TrimRight(userData, "\n") + "\n" + strings.TrimPrefix(string(out), cloudConfigHead+"\n"), nil
	}
	o := &fileObject{f: f}
	st := yamledit.DetectStyle(o.root())
	for _, file := range c.WriteFiles {
		files := getKey(o.root(), "write_files")
		if files != nil && files.Kind != yaml.SequenceNode {
			return "", errors.New("write_files in userData is not a list")
		}
		idx := -1
		if files != nil {
			for i, old := range files.Content {
				if scalar(getKey(old, "path")) == file.Path {
					idx = i
				}
			}
		}
		if idx < 0 {
			if err := o.appendToList([]any{"write_files"}, file.node(), st); err != nil {
				return "", err
			}
			continue
		}
		for _, kv := range [][2]string{{"permissions", file.Permissions}, {"content", file.Content}} {
			value := strNode(kv[1])
			if kv[0] == "content" {
				value.Style = yaml.LiteralStyle
			}
			if _, err := o.set([]any{"write_files", idx, kv[0]}, value, st); err != nil {
				return "", err
			}
		}
	}
	for _, cmd := range c.RunCmd {
		run := getKey(o.root(), "runcmd")
		if run != nil && run.Kind != yaml.SequenceNode {
			return "", errors.New("runcmd in userData is not a list")
		}
		if run != nil && slices.ContainsFunc(run.Content, func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Value == cmd }) {
			continue
		}
		if err := o.appendToList([]any{"runcmd"}, strNode(cmd), st); err != nil {
			return "", err
		}
	}
	return string(f.Bytes()), nil
}

func (f CloudFile) node() *yaml.Node {
	content := strNode(f.Content)
	content.Style = yaml.LiteralStyle
	return mapNode("path", strNode(f.Path), "permissions", strNode(f.Permissions), "content", content)
}

// mergeInto adds write_files and runcmd to the new cloud-config mapping m.
func (c *CloudConfig) mergeInto(m *yaml.Node) error {
	if len(c.WriteFiles) > 0 {
		files := seqNode()
		for _, f := range c.WriteFiles {
			files.Content = append(files.Content, f.node())
		}
		setKey(m, "write_files", files)
	}
	if len(c.RunCmd) > 0 {
		run := seqNode()
		for _, cmd := range c.RunCmd {
			run.Content = append(run.Content, strNode(cmd))
		}
		setKey(m, "runcmd", run)
	}
	return nil
}
