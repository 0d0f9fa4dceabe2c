package explain_test

import (
	"fmt"

	"github.com/vmhealth/vmhealth/explain"
)

func ExampleFile() {
	manifest := []byte(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices: {}
      readinessProbe:
        tcpSocket:
          port: 1500
        initialDelaySeconds: 120
        periodSeconds: 20
        timeoutSeconds: 10
`)
	r := explain.File("vm.yaml", manifest, explain.Options{})
	p := r.Objects[0].Probes[0]
	fmt.Println("first probe after", p.Timing.FirstProbeSeconds, "s")
	fmt.Println("hang noticed after", p.Timing.HangDetectedMinSeconds, "to", p.Timing.HangDetectedMaxSeconds, "s")
	// Output:
	// first probe after 130 s
	// hang noticed after 50 to 70 s
}
