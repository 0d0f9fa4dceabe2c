package gen

import (
	"errors"
	"github.com/vmhealth/vmhealth/internal/yamledit"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var intoCases = []struct {
	name string
	file string
	opts IntoOptions
	req  Request
}{
	{
		name: "web-all",
		file: "web-vm.yaml",
		opts: IntoOptions{Name: "web"},
		req: Request{
			Readiness: &ProbeRequest{Spec: "http:1500/healthz", InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10)},
			Liveness:  &ProbeRequest{Spec: "tcp:1500", InitialDelaySeconds: i32(120)},
			Watchdog:  &WatchdogRequest{Action: "poweroff"},
			CloudInit: true,
		},
	},
	{
		name: "web-watchdog",
		file: "web-vm.yaml",
		opts: IntoOptions{Name: "web"},
		req:  Request{Watchdog: &WatchdogRequest{Action: "reset", Name: "wd"}},
	},
	{
		name: "web-named-port",
		file: "web-vm.yaml",
		opts: IntoOptions{Name: "web"},
		req:  Request{Liveness: &ProbeRequest{Spec: "tcp:ssh", InitialDelaySeconds: i32(60)}},
	},
	{
		name: "worker-all",
		file: "web-vm.yaml",
		opts: IntoOptions{Name: "worker"},
		req: Request{
			Readiness: &ProbeRequest{Spec: "tcp:1500", InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10)},
			Watchdog:  &WatchdogRequest{Action: "poweroff"},
			CloudInit: true, GuestOS: GuestCentOS,
		},
	},
	{
		name: "indented-vmi",
		file: "indented-vmi.yaml",
		req: Request{
			Readiness: &ProbeRequest{Spec: "guest-agent-ping", InitialDelaySeconds: i32(30)},
			Liveness:  &ProbeRequest{Spec: "exec:cat /tmp/healthy", InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10)},
			Watchdog:  &WatchdogRequest{Action: "shutdown"},
			CloudInit: true, GuestOS: GuestDebian,
		},
	},
	{
		name: "crlf-seed",
		file: "seed-crlf.yaml",
		req: Request{
			Readiness: &ProbeRequest{Spec: "http:1500/healthz", Headers: []string{"Custom-Header: Awesome"},
				InitialDelaySeconds: i32(120), PeriodSeconds: i32(20), TimeoutSeconds: i32(10), FailureThreshold: i32(3), SuccessThreshold: i32(3)},
		},
	},
}

// TestMergeIntoGolden merges each case, compares the file and the list of
// changes with golden files, and checks that the file is byte for byte the
// same outside the blocks the merge may touch.
func TestMergeIntoGolden(t *testing.T) {
	for _, tc := range intoCases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "into", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			tc.opts.File = tc.file
			obj, err := InspectFile(data, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			tc.req.PortNumbers = obj.PortNumbers
			tc.req.Arch = obj.Arch
			s, err := Build(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.MergeInto(data, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "into/"+tc.name+".golden.yaml", res.Data)
			checkGolden(t, "into/"+tc.name+".changes.txt", []byte(strings.Join(res.Changes, "\n")+"\n"))
			assertOnlyTouched(t, data, res.Data, tc.opts)

			again, err := s.MergeInto(res.Data, tc.opts)
			if err != nil {
				t.Fatalf("merging a second time: %v", err)
			}
			if string(again.Data) != string(res.Data) {
				t.Errorf("merging a second time changed the file again")
			}
		})
	}
}

// assertOnlyTouched removes from both files the blocks MergeInto may
// change (the probes, the watchdog, the pod interface's ports, the
// cloud-init user data and a volume it added) and requires the rest to be
// the same lines.
func assertOnlyTouched(t *testing.T, before, after []byte, opts IntoOptions) {
	t.Helper()
	a := untouchedLines(t, before, opts)
	b := untouchedLines(t, after, opts)
	if !slices.Equal(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("line %d outside the health checks changed:\nbefore: %q\nafter:  %q", i+1, a[i], b[i])
			}
		}
		t.Fatalf("the untouched part has %d lines before and %d after", len(a), len(b))
	}
	if strings.Contains(string(before), "\r\n") && strings.Count(string(after), "\n") != strings.Count(string(after), "\r\n") {
		t.Errorf("the file's CRLF line endings were not kept")
	}
}

func untouchedLines(t *testing.T, data []byte, opts IntoOptions) []string {
	t.Helper()
	f, err := yamledit.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	o, err := findObject(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	drop := make([]bool, len(f.Lines))
	block := func(k, v *yaml.Node) {
		for i := k.Line - 1; i < f.BlockEnd(k, v); i++ {
			drop[i] = true
		}
	}
	keyBlock := func(m *yaml.Node, key string) {
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				block(m.Content[i], m.Content[i+1])
			}
		}
	}
	spec := getPath(o.root(), o.specPath)
	keyBlock(spec, "readinessProbe")
	keyBlock(spec, "livenessProbe")
	keyBlock(getPath(spec, []any{"domain", "devices"}), "watchdog")
	// An empty devices: {} becomes a block mapping holding only the
	// watchdog: the whole devices key is then the merge's.
	if devices := getPath(spec, []any{"domain", "devices"}); devices != nil &&
		(len(devices.Content) == 0 || (len(devices.Content) == 2 && devices.Content[0].Value == "watchdog")) {
		keyBlock(getPath(spec, []any{"domain"}), "devices")
	}
	if ifaces := getPath(spec, []any{"domain", "devices", "interfaces"}); ifaces != nil {
		for _, iface := range ifaces.Content {
			keyBlock(iface, "ports")
		}
	}
	if vols := getPath(spec, []any{"volumes"}); vols != nil {
		for i, vol := range vols.Content {
			if ci := getKey(vol, "cloudInitNoCloud"); ci != nil {
				keyBlock(ci, "userData")
				if strings.HasPrefix(scalar(getKey(vol, "name")), cloudInitDisk) && i == len(vols.Content)-1 {
					// Possibly added by MergeInto: the whole item, to the
					// end of the list.
					volsKey := keyOf(spec, "volumes")
					for j := vol.Line - 1; j < f.BlockEnd(volsKey, vols); j++ {
						drop[j] = true
					}
				}
			}
		}
	}
	var kept []string
	for i, l := range f.Lines {
		if !drop[i] {
			kept = append(kept, l)
		}
	}
	return kept
}

func keyOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

func TestMergeIntoRefuses(t *testing.T) {
	probe := Request{Readiness: &ProbeRequest{Spec: "http:1500/healthz"}}
	cloud := Request{CloudInit: true, Watchdog: &WatchdogRequest{Action: "reset"}}
	tests := []struct {
		name    string
		req     Request
		yaml    string
		opts    IntoOptions
		wantErr string
	}{
		{name: "no VM", req: probe, yaml: "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n", wantErr: "holds no VirtualMachine"},
		{name: "two VMs", req: probe, yaml: vmYAML("a", "") + "---\n" + vmYAML("b", ""), wantErr: "pick one with --name"},
		{name: "wrong name", req: probe, yaml: vmYAML("a", ""), opts: IntoOptions{Name: "z"}, wantErr: `no VirtualMachine or VirtualMachineInstance named "z" (it has VirtualMachine/a)`},
		{name: "json", req: probe, yaml: `{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "a"}, "spec": {"template": {"spec": {}}}}`, wantErr: "flow style"},
		{name: "no pod network", req: probe, yaml: vmYAML("a", `
      networks:
      - name: data
        multus: {networkName: data}
      domain:
        devices:
          interfaces:
          - name: data
            bridge: {}`), wantErr: "probe-needs-pod-network"},
		{name: "shell user data", req: cloud, yaml: vmYAML("a", `
      volumes:
      - name: ci
        cloudInitNoCloud:
          userData: |
            #!/bin/sh
            echo hi`), wantErr: "not cloud-config"},
		{name: "user data in a secret", req: cloud, yaml: vmYAML("a", `
      volumes:
      - name: ci
        cloudInitNoCloud:
          secretRef: {name: my-user-data}`), wantErr: `in Secret "my-user-data"`},
		{name: "undeclared named port", req: Request{Liveness: &ProbeRequest{Spec: "tcp:ssh", InitialDelaySeconds: i32(90)}}, yaml: vmYAML("a", ""), wantErr: `port named "ssh"`},
		{name: "not YAML", req: probe, yaml: "a: [\n", wantErr: "reading"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Build(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			tt.opts.File = "vm.yaml"
			_, err = s.MergeInto([]byte(tt.yaml), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			var inv *InvalidError
			if strings.Contains(tt.wantErr, "probe-") && !errors.As(err, &inv) {
				t.Errorf("a lint error should come back as an InvalidError, got %T", err)
			}
		})
	}
}

// vmYAML is a small VM whose template spec ends with extra, which is
// indented for that place.
func vmYAML(name, extra string) string {
	return `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: ` + name + `
spec:
  runStrategy: Always
  template:
    spec:
      terminationGracePeriodSeconds: 30` + extra + "\n"
}

func TestMergeIntoBase64UserData(t *testing.T) {
	s, err := Build(Request{CloudInit: true, Watchdog: &WatchdogRequest{Action: "reset"}})
	if err != nil {
		t.Fatal(err)
	}
	// "#cloud-config\nruncmd:\n- echo hi\n"
	in := vmYAML("a", `
      volumes:
      - name: ci
        cloudInitNoCloud:
          userDataBase64: I2Nsb3VkLWNvbmZpZwpydW5jbWQ6Ci0gZWNobyBoaQo=`)
	res, err := s.MergeInto([]byte(in), IntoOptions{File: "vm.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := findObject(mustParse(t, res.Data), IntoOptions{})
	spec, err := obj.typedSpec()
	if err != nil {
		t.Fatal(err)
	}
	ud := spec.Volumes[0].CloudInitNoCloud.UserDataBase64
	if ud == "" || spec.Volumes[0].CloudInitNoCloud.UserData != "" {
		t.Fatalf("the user data should stay base64: %+v", spec.Volumes[0].CloudInitNoCloud)
	}
}

func mustParse(t *testing.T, data []byte) *yamledit.File {
	t.Helper()
	f, err := yamledit.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// anchoredVM uses anchors and aliases, a merge key among them, inside and
// outside the spec that --into edits; lint accepts it, so gen must too.
const anchoredVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
  labels: &l
    app: web
spec:
  runStrategy: Always
  template:
    metadata:
      labels: *l
    spec:
      domain:
        resources:
          requests: &req
            memory: 1Gi
          limits: *req
        devices:
          interfaces:
            - name: default
              masquerade: {}
      networks:
        - name: default
          pod: {}
      volumes:
        - name: root
          containerDisk:
            <<: &img
              image: quay.io/containerdisks/fedora:latest
`

// TestMergeIntoAnchors merges into a VirtualMachine written with anchors and
// aliases: it used to fail with "cannot write YAML node kind 16 as JSON".
func TestMergeIntoAnchors(t *testing.T) {
	opts := IntoOptions{File: "anchored.yaml"}
	obj, err := InspectFile([]byte(anchoredVM), opts)
	if err != nil {
		t.Fatal(err)
	}
	if obj.Kind != "VirtualMachine" || obj.Name != "web" {
		t.Fatalf("InspectFile found %s/%s", obj.Kind, obj.Name)
	}
	s, err := Build(Request{Readiness: &ProbeRequest{Spec: "tcp:1500", InitialDelaySeconds: i32(60)}, Watchdog: &WatchdogRequest{Action: "reset"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.MergeInto([]byte(anchoredVM), opts)
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Data)
	for _, want := range []string{"labels: &l", "labels: *l", "requests: &req", "limits: *req", "<<: &img", "readinessProbe:", "tcpSocket:", "port: 1500", "watchdog:"} {
		if !strings.Contains(out, want) {
			t.Errorf("merged file lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasPrefix(out, anchoredVM[:strings.Index(anchoredVM, "  runStrategy")]) {
		t.Errorf("the head of the file changed:\n%s", out)
	}
}

// TestMergeIntoForwardsNamedPort probes a named port that another
// interface declares: the pod interface's ports list does not forward it,
// so --into adds it and says why, as it does for a numbered port.
func TestMergeIntoForwardsNamedPort(t *testing.T) {
	vm := strings.Replace(anchoredVM, `              masquerade: {}
`, `              masquerade: {}
              ports:
                - port: 22
            - name: side
              bridge: {}
              ports:
                - name: web
                  port: 8080
`, 1)
	vm = strings.Replace(vm, `        - name: default
          pod: {}
`, `        - name: default
          pod: {}
        - name: side
          multus:
            networkName: side
`, 1)
	opts := IntoOptions{File: "named.yaml"}
	obj, err := InspectFile([]byte(vm), opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(Request{Readiness: &ProbeRequest{Spec: "tcp:web"}, PortNumbers: obj.PortNumbers})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.MergeInto([]byte(vm), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := `spec.template.spec.domain.devices.interfaces[0].ports: added port 8080, or the probe would never reach the guest (the masquerade interface "default" forwards only 22)`
	if !slices.Contains(res.Changes, want) {
		t.Errorf("changes:\n%s\nwant the line:\n%s", strings.Join(res.Changes, "\n"), want)
	}
}
