package validate

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

var _ = mustRegister(&Rule{
	ID:       "readiness-probe-missing",
	Fix:      &Fix{None: "what the probe should check is known only to the user; vmhealth gen --into writes one"},
	Severity: SeverityWarning,
	Category: CategoryBestPractice,
	Summary:  "A VM that a Service of the same file selects has no readinessProbe.",
	Description: `KubeVirt gives the virt-launcher pod the labels of the VMI template, so a
Service whose selector matches them sends traffic to the VM. Without a
readiness probe the VMI is Ready, and added to the Service's endpoints, as
soon as it is running: while the guest still boots and before the service in
it listens, so clients get refused or time out. A readiness probe keeps the VM
out of the endpoints until the guest answers, and takes it out again when it
stops answering.

vmhealth reports a VirtualMachine, VirtualMachineInstance, ReplicaSet or pool
without a readinessProbe when a Service in the same file, in the same
namespace, selects its template labels. Services elsewhere are not seen.`,
	Remediation: "Add a readinessProbe that checks the port the Service sends traffic to, for example `readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 30}`.",
	FileCandidate: func(o *ObjectFacts) bool {
		return o.HasSpec && !o.HasReadiness && len(o.TemplateLabels) > 0
	},
	FileCheck: func(o *ObjectFacts, services []ServiceFacts, _ *Options) *field.Error {
		if !o.HasSpec || o.HasReadiness {
			return nil
		}
		var names []string
		for _, s := range services {
			if s.Selects(o.Ref.Namespace, o.TemplateLabels) {
				names = append(names, fmt.Sprintf("%q", s.Name))
			}
		}
		if len(names) == 0 {
			return nil
		}
		what := "service " + names[0] + " selects"
		if len(names) > 1 {
			what = "services " + strings.Join(names, ", ") + " select"
		}
		return &field.Error{Type: field.ErrorTypeRequired, Field: o.SpecField + ".readinessProbe",
			Detail: what + " this VM but the VM has no readinessProbe: the endpoints include the VM as soon as it runs, before the guest serves"}
	},
})
