package policy_test

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/vmhealth/vmhealth/policy"
)

// Generate policies that warn about two rules, check that their
// expressions compile, and look at what one of them says.
func ExampleGenerate() {
	set, err := policy.Generate(policy.Options{
		Rules:   []string{"liveness-success-threshold", "watchdog-action"},
		Actions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if errs := policy.Compile(set); len(errs) > 0 {
		fmt.Println(errs)
		return
	}
	vm := set.Policies[0]
	fmt.Println(vm.Policy.Name, vm.Binding.Spec.ValidationActions)
	fmt.Println(vm.Policy.Spec.Validations[0].Message)
	// Output:
	// vmhealth-virtualmachines [Warn]
	// [liveness-success-threshold] spec.template.spec.livenessProbe.successThreshold: a liveness probe must have successThreshold 1: Kubernetes rejects the virt-launcher pod, so the VM never starts
}
