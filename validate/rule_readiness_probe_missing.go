package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

var _ = mustRegister(&Rule{
	ID:       "readiness-probe-missing",
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
	FileCheck: func(o *ObjectFacts, services []ServiceFacts, _ *Options) *field.Error {
		if !o.HasSpec || o.HasReadiness {
			return nil
		}
		for _, s := range services {
			if s.Selects(o.Ref.Namespace, o.TemplateLabels) {
				return &field.Error{Type: field.ErrorTypeRequired, Field: o.SpecField + ".readinessProbe",
					Detail: fmt.Sprintf("service %q selects this VM but the VM has no readinessProbe: its endpoints include the VM as soon as it runs, before the guest serves", s.Name)}
			}
		}
		return nil
	},
})
