package probespec

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"
)

// specCheckCase is a spec check's input and the errors it should give
// at specPath.
type specCheckCase struct {
	name string
	spec *v1.VirtualMachineInstanceSpec
	want []wantErr
}

func runSpecCheck(t *testing.T, check func(*v1.VirtualMachineInstanceSpec, *field.Path) field.ErrorList, tests []specCheckCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertErrors(t, check(tt.spec, specPath), tt.want)
		})
	}
}

// multusOnly returns a spec whose only network is a Multus network marked
// default.
func multusOnly(readiness, liveness *v1.Probe) *v1.VirtualMachineInstanceSpec {
	spec := &v1.VirtualMachineInstanceSpec{
		Networks: []v1.Network{{Name: "net1", NetworkSource: v1.NetworkSource{
			Multus: &v1.MultusNetwork{NetworkName: "ns/br1", Default: true}}}},
		ReadinessProbe: readiness,
		LivenessProbe:  liveness,
	}
	spec.Domain.Devices.Interfaces = []v1.Interface{{Name: "net1", InterfaceBindingMethod: bridge}}
	return spec
}

func TestCheckPodNetworkForNetworkProbes(t *testing.T) {
	http := HTTPGet(1500, "/healthz").Build()
	tcp := TCPSocket(22).Build()
	noAutoattach := &v1.VirtualMachineInstanceSpec{ReadinessProbe: http}
	noAutoattach.Domain.Devices.AutoattachPodInterface = ptr(false)
	autoattachTrue := &v1.VirtualMachineInstanceSpec{ReadinessProbe: http}
	autoattachTrue.Domain.Devices.AutoattachPodInterface = ptr(true)
	interfacesOnly := &v1.VirtualMachineInstanceSpec{LivenessProbe: tcp}
	interfacesOnly.Domain.Devices.Interfaces = []v1.Interface{{Name: "default", InterfaceBindingMethod: masquerade}}
	runSpecCheck(t, CheckPodNetworkForNetworkProbes, []specCheckCase{
		{name: "nil spec", spec: nil},
		{name: "explicit pod network", spec: podSpec(masquerade, http, tcp)},
		{name: "implicit pod network", spec: &v1.VirtualMachineInstanceSpec{ReadinessProbe: http, LivenessProbe: tcp}},
		{name: "autoattach true", spec: autoattachTrue},
		{name: "multus default network does not count", spec: multusOnly(http, tcp),
			want: []wantErr{invalid(rp + ".httpGet"), invalid(lp + ".tcpSocket")}},
		{name: "autoattachPodInterface false", spec: noAutoattach, want: []wantErr{invalid(rp + ".httpGet")}},
		{name: "interfaces without networks", spec: interfacesOnly, want: []wantErr{invalid(lp + ".tcpSocket")}},
		{name: "exec and guestAgentPing need no pod network", spec: multusOnly(Exec("true").Build(), GuestAgentPing().Build())},
		{name: "no probes", spec: multusOnly(nil, nil)},
	})
}

func TestCheckMasqueradeForwardsProbePorts(t *testing.T) {
	withPorts := func(binding v1.InterfaceBindingMethod, ports []v1.Port, ranges []v1.PortRange, readiness, liveness *v1.Probe) *v1.VirtualMachineInstanceSpec {
		spec := podSpec(binding, readiness, liveness)
		spec.Domain.Devices.Interfaces[0].Ports = ports
		spec.Domain.Devices.Interfaces[0].PortRanges = ranges
		return spec
	}
	ssh := []v1.Port{{Name: "ssh", Port: 22}, {Port: 80, Protocol: "TCP"}}
	http := HTTPGet(1500, "/healthz").Build()
	secondIface := withPorts(masquerade, ssh, nil, HTTPGetNamed("web", "/").Build(), nil)
	secondIface.Networks = append(secondIface.Networks, v1.Network{Name: "net1", NetworkSource: v1.NetworkSource{
		Multus: &v1.MultusNetwork{NetworkName: "br1"}}})
	secondIface.Domain.Devices.Interfaces = append(secondIface.Domain.Devices.Interfaces,
		v1.Interface{Name: "net1", InterfaceBindingMethod: bridge, Ports: []v1.Port{{Name: "web", Port: 8080}}})
	runSpecCheck(t, CheckMasqueradeForwardsProbePorts, []specCheckCase{
		{name: "nil spec", spec: nil},
		{name: "implicit pod network forwards everything", spec: &v1.VirtualMachineInstanceSpec{ReadinessProbe: http}},
		{name: "masquerade without ports forwards everything", spec: withPorts(masquerade, nil, nil, http, http)},
		{name: "port not in list", spec: withPorts(masquerade, ssh, nil, http, nil),
			want: []wantErr{invalid(rp + ".httpGet.port")}},
		{name: "both probes", spec: withPorts(masquerade, ssh, nil, http, TCPSocket(8080).Build()),
			want: []wantErr{invalid(rp + ".httpGet.port"), invalid(lp + ".tcpSocket.port")}},
		{name: "port in list", spec: withPorts(masquerade, ssh, nil, TCPSocket(22).Build(), HTTPGet(80, "/").Build())},
		{name: "named port resolved on the interface", spec: withPorts(masquerade, ssh, nil, nil, TCPSocketNamed("ssh").Build())},
		{name: "port declared for UDP only", spec: withPorts(masquerade, []v1.Port{{Port: 1500, Protocol: "UDP"}}, nil, http, nil),
			want: []wantErr{invalid(rp + ".httpGet.port")}},
		{name: "named UDP port", spec: withPorts(masquerade, []v1.Port{{Name: "dns", Port: 53, Protocol: "UDP"}}, nil, TCPSocketNamed("dns").Build(), nil),
			want: []wantErr{invalid(rp + ".tcpSocket.port")}},
		{name: "named port on another interface is not forwarded here", spec: secondIface,
			want: []wantErr{invalid(rp + ".httpGet.port")}},
		{name: "undeclared name is CheckNamedPortDeclared's", spec: withPorts(masquerade, ssh, nil, TCPSocketNamed("nope").Build(), nil)},
		{name: "port in range", spec: withPorts(masquerade, nil, []v1.PortRange{{Protocol: "TCP", Start: 1000, End: 2000}}, http, nil)},
		{name: "range bounds are inclusive", spec: withPorts(masquerade, nil, []v1.PortRange{{Protocol: "TCP", Start: 1500, End: 1500}}, http, nil)},
		{name: "port outside range", spec: withPorts(masquerade, nil, []v1.PortRange{{Protocol: "TCP", Start: 2000, End: 3000}}, http, nil),
			want: []wantErr{invalid(rp + ".httpGet.port")}},
		{name: "UDP range", spec: withPorts(masquerade, nil, []v1.PortRange{{Protocol: "UDP", Start: 1000, End: 2000}}, http, nil),
			want: []wantErr{invalid(rp + ".httpGet.port")}},
		{name: "passtBinding with ports", spec: withPorts(v1.InterfaceBindingMethod{PasstBinding: &v1.InterfacePasstBinding{}}, ssh, nil, http, nil),
			want: []wantErr{invalid(rp + ".httpGet.port")}},
		{name: "deprecated passt with ports", spec: withPorts(v1.InterfaceBindingMethod{DeprecatedPasst: &v1.DeprecatedInterfacePasst{}}, ssh, nil, nil, http),
			want: []wantErr{invalid(lp + ".httpGet.port")}},
		{name: "bridge ports are informational", spec: withPorts(bridge, ssh, nil, http, http)},
		{name: "exec probe", spec: withPorts(masquerade, ssh, nil, Exec("true").Build(), nil)},
	})
}

func TestCheckNamedPortDeclared(t *testing.T) {
	withPorts := func(ports []v1.Port, readiness, liveness *v1.Probe) *v1.VirtualMachineInstanceSpec {
		spec := podSpec(masquerade, readiness, liveness)
		spec.Domain.Devices.Interfaces[0].Ports = ports
		return spec
	}
	ports := []v1.Port{{Name: "http", Port: 1500}, {Name: "ssh", Port: 22}}
	runSpecCheck(t, CheckNamedPortDeclared, []specCheckCase{
		{name: "nil spec", spec: nil},
		{name: "numeric port", spec: withPorts(nil, HTTPGet(1500, "/").Build(), nil)},
		{name: "declared names", spec: withPorts(ports, HTTPGetNamed("http", "/").Build(), TCPSocketNamed("ssh").Build())},
		{name: "undeclared name", spec: withPorts(ports, HTTPGetNamed("web", "/").Build(), nil),
			want: []wantErr{invalid(rp + ".httpGet.port")}},
		{name: "no interfaces at all", spec: &v1.VirtualMachineInstanceSpec{LivenessProbe: TCPSocketNamed("ssh").Build()},
			want: []wantErr{invalid(lp + ".tcpSocket.port")}},
		{name: "empty name is CheckPortPresent's", spec: withPorts(ports, HTTPGetNamed("", "/").Build(), nil)},
		{name: "names are case-sensitive", spec: withPorts(ports, nil, TCPSocketNamed("SSH").Build()),
			want: []wantErr{invalid(lp + ".tcpSocket.port")}},
	})
}

func TestHasPodNetwork(t *testing.T) {
	noAuto := &v1.VirtualMachineInstanceSpec{}
	noAuto.Domain.Devices.AutoattachPodInterface = ptr(false)
	tests := []struct {
		name string
		spec *v1.VirtualMachineInstanceSpec
		want bool
	}{
		{name: "nil", spec: nil, want: false},
		{name: "empty spec gets the default pod network", spec: &v1.VirtualMachineInstanceSpec{}, want: true},
		{name: "autoattach false", spec: noAuto, want: false},
		{name: "explicit pod network", spec: podSpec(bridge, nil, nil), want: true},
		{name: "multus default", spec: multusOnly(nil, nil), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasPodNetwork(tt.spec); got != tt.want {
				t.Errorf("HasPodNetwork() = %v, want %v", got, tt.want)
			}
		})
	}
}
