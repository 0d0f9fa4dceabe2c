package validate_test

import (
	"fmt"

	"github.com/vmhealth/vmhealth/validate"
)

const manifest = `apiVersion: kubevirt.io/v1
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
        httpGet:
          port: 80
          host: example.com
        periodSecond: 5
`

// Lint a manifest held in memory and print its findings.
func Example() {
	linter, err := validate.New(validate.Options{})
	if err != nil {
		panic(err)
	}
	findings, sum := linter.LintBytes("vm.yaml", []byte(manifest))
	for _, f := range findings {
		fmt.Printf("%s: %s %s: %s\n", f.Location(), f.Severity, f.RuleID, f.Message)
	}
	fmt.Println(sum.Objects, "object,", sum.Count(validate.SeverityWarning), "findings at warning or above")
	// Output:
	// vm.yaml:14:11: warning probe-host-set: the kubelet probes host "example.com" instead of the VM; remove host to probe the VM through its virt-launcher pod IP
	// vm.yaml:15:9: error unknown-field: unknown field "periodSecond" in spec.template.spec.readinessProbe (did you mean "periodSeconds"?)
	// 1 object, 2 findings at warning or above
}

// Load the objects of a file once, then check them: the input rules'
// findings come from Load, the other rules' from Check.
func ExampleLinter_Load() {
	linter := validate.MustNew(validate.Options{Disabled: map[string]bool{"unknown-field": true}})
	objects, inputFindings, _ := linter.Load("vm.yaml", []byte(manifest))
	fmt.Println(len(inputFindings), "input findings")
	for _, o := range objects {
		line, _ := o.Position("spec.template.spec.readinessProbe")
		fmt.Printf("%s, readinessProbe at line %d\n", o.Ref, line)
		for _, f := range linter.Check(o) {
			fmt.Printf("  %s %s\n", f.RuleID, f.Field)
		}
	}
	// Output:
	// 0 input findings
	// VirtualMachine/web, readinessProbe at line 11
	//   probe-host-set spec.template.spec.readinessProbe.httpGet.host
}
