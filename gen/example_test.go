package gen_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/vmhealth/vmhealth/gen"
)

func ExampleParseProbeSpec() {
	p, err := gen.ParseProbeSpec("exec:sh -c 'test -f /run/ready'")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", p.Exec.Command)
	_, err = gen.ParseProbeSpec("tcp:70000")
	fmt.Println(err)
	// Output:
	// ["sh" "-c" "test -f /run/ready"]
	// probe "tcp:70000": port "70000": must be a number from 1 to 65535 or a port name
}

func ExampleBuild() {
	period, timeout := int32(20), int32(10)
	s, err := gen.Build(gen.Request{
		Readiness: &gen.ProbeRequest{Spec: "tcp:1500", PeriodSeconds: &period, TimeoutSeconds: &timeout},
		Watchdog:  &gen.WatchdogRequest{Action: "poweroff"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := s.Render(gen.FormatYAML, gen.TargetVMI)
	os.Stdout.Write(out)
	// Output:
	// spec:
	//   domain:
	//     devices:
	//       watchdog:
	//         name: watchdog
	//         i6300esb:
	//           action: poweroff
	//   readinessProbe:
	//     tcpSocket:
	//       port: 1500
	//     periodSeconds: 20
	//     timeoutSeconds: 10
}

func ExampleInvalidError() {
	one := int32(10)
	_, err := gen.Build(gen.Request{Readiness: &gen.ProbeRequest{Spec: "tcp:1500", PeriodSeconds: &one, TimeoutSeconds: &one}})
	var inv *gen.InvalidError
	if errors.As(err, &inv) {
		fmt.Println(inv.Errs[0].Field)
	}
	// Output:
	// readinessProbe.periodSeconds
}
