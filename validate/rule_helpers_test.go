package validate

import (
	"encoding/base64"
	"strings"
	"testing"
)

// vmWith returns a VirtualMachine whose template spec holds spec, indented
// by six spaces, and whose metadata holds meta, indented by two.
func vmWith(meta, spec string) string {
	return "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: vm\n" + meta +
		"spec:\n  template:\n    spec:\n      domain:\n        resources:\n          requests:\n            memory: 1Gi\n" + spec
}

// withWatchdog returns a VirtualMachine with an i6300esb watchdog and the
// template spec extra.
func withWatchdog(extra string) string {
	return strings.Replace(vmWith("", extra), "      domain:\n", "      domain:\n        devices:\n          watchdog:\n            name: w\n            i6300esb:\n              action: reset\n", 1)
}

// TestRuleEdgeCases covers what the fixtures do not: the signals rules
// read besides the spec, and values that must not be mistaken for zeros.
func TestRuleEdgeCases(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte("#cloud-config\npackages: [qemu-guest-agent]\n"))
	tests := []struct {
		name string
		yaml string
		rule string
		want bool
	}{
		{
			name: "base64 user data installs the agent",
			yaml: vmWith("", "      readinessProbe:\n        guestAgentPing: {}\n      volumes:\n        - name: ci\n          cloudInitNoCloud:\n            userDataBase64: "+b64+"\n"),
			rule: "guest-agent-required",
		},
		{
			name: "config drive user data installs the agent",
			yaml: vmWith("", "      readinessProbe:\n        guestAgentPing: {}\n      volumes:\n        - name: ci\n          cloudInitConfigDrive:\n            userData: |\n              #cloud-config\n              packages: [qemu-guest-agent]\n"),
			rule: "guest-agent-required",
		},
		{
			name: "user data in a secret cannot be read",
			yaml: vmWith("", "      readinessProbe:\n        guestAgentPing: {}\n      volumes:\n        - name: ci\n          cloudInitNoCloud:\n            secretRef:\n              name: user-data\n"),
			rule: "guest-agent-required",
			want: true,
		},
		{
			name: "os label on the VMI template",
			yaml: strings.Replace(withWatchdog(""), "    spec:\n      domain:", "    metadata:\n      labels:\n        vm.kubevirt.io/os: windows2k19\n    spec:\n      domain:", 1),
			rule: "watchdog-windows-guest",
			want: true,
		},
		{
			name: "vmhealth's own annotation mentions windows",
			yaml: strings.Replace(withWatchdog(""), "  name: vm\n", "  name: vm\n  annotations:\n    vmhealth.io/ignore-reason: not a windows guest\n", 1),
			rule: "watchdog-windows-guest",
		},
		{
			name: "a Linux VM with a watchdog",
			yaml: withWatchdog(""),
			rule: "watchdog-windows-guest",
		},
		{
			name: "a port of the wrong type is not a written zero",
			yaml: vmWith("", "      readinessProbe:\n        tcpSocket:\n          port: []\n"),
			rule: "probe-port-range",
		},
		{
			name: "an overflowing period is not a written zero",
			yaml: vmWith("", "      readinessProbe:\n        tcpSocket:\n          port: 22\n        periodSeconds: 99999999999\n"),
			rule: "probe-value-below-minimum",
		},
		{
			name: "a quoted number is a bad name, not an undeclared one",
			yaml: vmWith("", "      readinessProbe:\n        tcpSocket:\n          port: \"1500\"\n"),
			rule: "probe-named-port-undeclared",
		},
		{
			name: "an impossible port is not reported as not forwarded",
			yaml: strings.Replace(vmWith("", "      readinessProbe:\n        tcpSocket:\n          port: 70000\n      networks:\n        - name: default\n          pod: {}\n"),
				"      domain:\n", "      domain:\n        devices:\n          interfaces:\n            - name: default\n              masquerade: {}\n              ports:\n                - port: 22\n", 1),
			rule: "probe-port-not-forwarded",
		},
		{
			name: "a template parameter is not an unknown action",
			yaml: "apiVersion: template.openshift.io/v1\nkind: Template\nmetadata:\n  name: t\nobjects:\n- " +
				strings.ReplaceAll(strings.Replace(withWatchdog(""), "action: reset", "action: ${ACTION}", 1), "\n", "\n  "),
			rule: "watchdog-action",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings, _ := MustNew(Options{}).LintBytes("test.yaml", []byte(tt.yaml))
			got := false
			for _, f := range findings {
				got = got || f.RuleID == tt.rule
			}
			if got != tt.want {
				t.Errorf("%s reported: %v, want %v\nfindings:\n%s", tt.rule, got, tt.want, dump(findings))

			}
		})
	}
}

func TestContainsFold(t *testing.T) {
	for _, tc := range []struct {
		s, sub string
		want   bool
	}{
		{"runcmd: systemctl enable qemu-guest-agent", "qemu-guest-agent", true},
		{"Install QEMU-Guest-Agent", "qemu-guest-agent", true},
		{"WINDOWS 2022", "windows", true},
		{"windows", "Windows", true},
		{"win", "windows", false},
		{"", "x", false},
		{"anything", "", true},
	} {
		if got := containsFold(tc.s, tc.sub); got != tc.want {
			t.Errorf("containsFold(%q, %q) = %v", tc.s, tc.sub, got)
		}
	}
}
