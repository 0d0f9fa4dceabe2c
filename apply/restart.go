package apply

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SubresourceGroup is the API group of KubeVirt's subresources, served by
// virt-api through API aggregation rather than by a CRD.
const SubresourceGroup = "subresources.kubevirt.io"

// ErrNoRestartSubresource means the API server has no restart subresource
// for VirtualMachines: KubeVirt's virt-api is not running or not registered.
var ErrNoRestartSubresource = errors.New("the API server has no virtualmachines/restart subresource (" + SubresourceGroup +
	" is served by KubeVirt's virt-api; is it running?)")

// restart asks KubeVirt to restart a VirtualMachine, the way virtctl
// restart does: PUT …/virtualmachines/NAME/restart in subresources.kubevirt.io,
// at the version of the VM's own API.
func (a *Applier) restart(ctx context.Context, m *meta.RESTMapping, t Target) error {
	if a.c.REST == nil {
		return errors.New("restart: no REST client")
	}
	err := a.c.REST.Put().
		AbsPath("/apis", SubresourceGroup, m.GroupVersionKind.Version, "namespaces", t.Namespace, m.Resource.Resource, t.Name, "restart").
		SetHeader("Content-Type", "application/json").
		Body([]byte("{}")).
		Do(ctx).Error()
	switch {
	case err == nil:
		return nil
	case apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err):
		return fmt.Errorf("restarting %s: %w", t, ErrNoRestartSubresource)
	}
	return fmt.Errorf("restarting %s: %w", t, a.explain(err, "update", Kind{
		GroupKind: schema.GroupKind{Group: SubresourceGroup, Kind: "VirtualMachine"}, Resource: "virtualmachines/restart",
	}))
}
