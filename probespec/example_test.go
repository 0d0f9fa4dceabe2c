package probespec_test

import (
	"fmt"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

func ExampleHTTPGet() {
	p := probespec.HTTPGet(1500, "/healthz").
		Scheme(k8sv1.URISchemeHTTPS).
		Header("Custom-Header", "Awesome").
		InitialDelay(120).Period(20).Timeout(10).FailureThreshold(3).
		Build()
	fmt.Println(p.HTTPGet.Port.String(), p.HTTPGet.Path, p.HTTPGet.Scheme, p.HTTPGet.HTTPHeaders[0].Name)
	fmt.Println(p.InitialDelaySeconds, p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold)
	// Output:
	// 1500 /healthz HTTPS Custom-Header
	// 120 20 10 3
}

func ExampleTCPSocketNamed() {
	spec := &v1.VirtualMachineInstanceSpec{
		LivenessProbe: probespec.TCPSocketNamed("ssh").InitialDelay(60).Build(),
	}
	// The name must be declared on an interface, or the kubelet cannot
	// resolve it.
	for _, err := range probespec.CheckNamedPortDeclared(spec, field.NewPath("spec")) {
		fmt.Println(err.Field, err.Type)
	}
	spec.Domain.Devices.Interfaces = []v1.Interface{{
		Name:                   "default",
		InterfaceBindingMethod: v1.InterfaceBindingMethod{Masquerade: &v1.InterfaceMasquerade{}},
		Ports:                  []v1.Port{{Name: "ssh", Port: 22}},
	}}
	fmt.Println(len(probespec.CheckNamedPortDeclared(spec, field.NewPath("spec"))), "errors")
	// Output:
	// spec.livenessProbe.tcpSocket.port Invalid value
	// 0 errors
}

func ExampleWatchdog() {
	w := probespec.Watchdog("watchdog").
		Model(probespec.ModelI6300ESB).
		Action(v1.WatchdogActionPoweroff).
		Build()
	fmt.Println(w.Name, probespec.WatchdogModel(w), w.I6300ESB.Action)

	// Without a model KubeVirt picks the architecture's, with action reset.
	d := probespec.WatchdogDefaulted(probespec.Watchdog("watchdog").Build(), probespec.ArchS390X)
	fmt.Println(probespec.WatchdogModel(d), d.Diag288.Action)
	// Output:
	// watchdog i6300esb poweroff
	// diag288 reset
}

func ExampleEffectiveProbe() {
	p := probespec.Exec("cat", "/tmp/healthy").Build()
	e := probespec.EffectiveProbe(p)
	fmt.Printf("initialDelay %d s, timeout %d s, period %d s, failureThreshold %d\n",
		e.InitialDelaySeconds, e.TimeoutSeconds, e.PeriodSeconds, e.FailureThreshold)
	fastest, slowest := e.FailureDetection()
	fmt.Println("a hang is detected after", fastest, "to", slowest)
	fmt.Println("as a liveness probe it can end the VM after", e.EarliestLivenessKill())
	// Output:
	// initialDelay 10 s, timeout 2 s, period 10 s, failureThreshold 3
	// a hang is detected after 22s to 32s
	// as a liveness probe it can end the VM after 32s
}

func ExampleValidateVMISpec() {
	spec := &v1.VirtualMachineInstanceSpec{
		ReadinessProbe: probespec.HTTPGet(1500, "/healthz").Scheme("https").Build(),
		LivenessProbe:  probespec.TCPSocket(70000).SuccessThreshold(2).Build(),
	}
	spec.Domain.Devices.Watchdog = probespec.Watchdog("watchdog").Model(probespec.ModelDiag288).Build()

	errs := probespec.ValidateVMISpec(spec, field.NewPath("spec", "template", "spec"), probespec.Options{})
	for _, err := range errs {
		fmt.Println(err)
	}
	// Output:
	// spec.template.spec.readinessProbe.httpGet.scheme: Unsupported value: "https": supported values: "HTTP", "HTTPS"
	// spec.template.spec.livenessProbe.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive; the virt-launcher pod would be rejected
	// spec.template.spec.livenessProbe.successThreshold: Invalid value: 2: must be 1 for a liveness probe; remove it or set it to 1
	// spec.template.spec.domain.devices.watchdog: Invalid value: "diag288": amd64 supports only the i6300esb watchdog; use i6300esb or leave the model out
}

func ExampleCheckMasqueradeForwardsProbePorts() {
	spec := &v1.VirtualMachineInstanceSpec{
		Networks:       []v1.Network{{Name: "default", NetworkSource: v1.NetworkSource{Pod: &v1.PodNetwork{}}}},
		ReadinessProbe: probespec.HTTPGet(1500, "/healthz").Build(),
	}
	spec.Domain.Devices.Interfaces = []v1.Interface{{
		Name:                   "default",
		InterfaceBindingMethod: v1.InterfaceBindingMethod{Masquerade: &v1.InterfaceMasquerade{}},
		Ports:                  []v1.Port{{Name: "ssh", Port: 22}, {Name: "http", Port: 80}},
	}}
	for _, err := range probespec.CheckMasqueradeForwardsProbePorts(spec, field.NewPath("spec")) {
		fmt.Println(err)
	}
	// Output:
	// spec.readinessProbe.httpGet.port: Invalid value: 1500: port 1500 is not forwarded to the guest: the masquerade interface "default" forwards only 22, 80; add {port: 1500} to its ports
}

// The values behind CheckPeriodExceedsTimeout's error, and the same words
// the error has, from the one template.
func ExamplePeriodNotAboveTimeout() {
	f, ok := probespec.PeriodNotAboveTimeout(probespec.Exec("cat", "/tmp/healthy").Period(6).Timeout(5).Build())
	fmt.Println(ok, f.Period, f.Timeout, f.RunsWith, f.VirtProbe)
	fmt.Println(f.Message())
	// Output:
	// true 6 5 6 exec
	// periodSeconds (6) must be greater than the timeout the probe runs with: KubeVirt gives exec probes timeoutSeconds + 1 = 6 s in the virt-launcher pod; raise periodSeconds or lower timeoutSeconds
}
