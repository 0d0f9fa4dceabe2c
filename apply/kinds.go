package apply

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
)

// Kind is a KubeVirt kind whose objects hold health checks, with where its
// VirtualMachineInstance spec sits.
type Kind struct {
	schema.GroupKind
	// Resource is the plural resource name, for messages before discovery
	// has answered.
	Resource string
	// ShortNames are KubeVirt's short names (kubectl get vm).
	ShortNames []string
	// SpecPath is where the VMI spec sits in an object of this kind.
	SpecPath []string
	// Restartable kinds run one VM whose template changes reach the guest
	// on restart; the others create VMIs that keep their old template.
	Restartable bool
	// Writable kinds can be changed by apply; a VMI's spec is immutable.
	Writable bool
}

// The kinds vmhealth knows, from the kinds table. No version is given:
// discovery picks the one the server prefers.
var (
	VirtualMachine                   = kindOf(kubevirtkinds.VirtualMachine)
	VirtualMachineInstanceReplicaSet = kindOf(kubevirtkinds.VirtualMachineInstanceReplicaSet)
	VirtualMachinePool               = kindOf(kubevirtkinds.VirtualMachinePool)
	VirtualMachineInstance           = kindOf(kubevirtkinds.VirtualMachineInstance)
)

// Kinds lists every kind, the writable ones first.
var Kinds = func() []Kind {
	var out []Kind
	for _, k := range kubevirtkinds.All {
		out = append(out, kindOf(k))
	}
	slices.SortStableFunc(out, func(a, b Kind) int {
		switch {
		case a.Writable == b.Writable:
			return 0
		case a.Writable:
			return -1
		}
		return 1
	})
	return out
}()

// WritableKinds are the short names of the kinds apply can change, in
// Kinds' order: vm, vmirs, vmpool.
var WritableKinds = func() []string {
	var names []string
	for _, k := range Kinds {
		if k.Writable {
			names = append(names, k.ShortNames[0])
		}
	}
	return names
}()

func kindOf(k *kubevirtkinds.Kind) Kind {
	return Kind{
		GroupKind: schema.GroupKind{Group: k.Group, Kind: k.Kind},
		Resource:  k.Resource, ShortNames: k.ShortNames, SpecPath: k.SpecPath,
		Restartable: k.Restartable, Writable: k.Writable,
	}
}

// String returns the kind's name.
func (k Kind) String() string { return k.Kind }

// ParseKind reads a kind as kubectl would accept it: a short name (vm,
// vmirs, vmpool, vmi), the plural resource, or the kind, in any case.
func ParseKind(s string) (Kind, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, k := range Kinds {
		if l == strings.ToLower(k.Kind) || l == k.Resource || slices.Contains(k.ShortNames, l) ||
			l == k.Resource+"."+k.Group || l == strings.ToLower(k.Kind)+"."+k.Group {
			return k, nil
		}
	}
	var names []string
	for _, k := range Kinds {
		names = append(names, k.ShortNames[0])
	}
	return Kind{}, fmt.Errorf("unknown kind %q (one of: %s)", s, strings.Join(names, ", "))
}

// KindOf returns the known kind of a group and kind name.
func KindOf(gk schema.GroupKind) (Kind, bool) {
	for _, k := range Kinds {
		if k.GroupKind == gk {
			return k, true
		}
	}
	return Kind{}, false
}

// NotInstalledError means the cluster does not serve a KubeVirt kind:
// KubeVirt (or, for pools, its pool API) is not installed.
type NotInstalledError struct {
	Kind Kind
	Err  error
}

func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("the cluster does not serve %s (%s): is KubeVirt installed? No CustomResourceDefinition for %s.%s was found by discovery",
		e.Kind.Kind, e.Kind.Group, e.Kind.Resource, e.Kind.Group)
}

func (e *NotInstalledError) Unwrap() error { return e.Err }

// mapping finds the resource of a kind at the version the server prefers.
func mapping(mapper meta.RESTMapper, k Kind) (*meta.RESTMapping, error) {
	m, err := mapper.RESTMapping(k.GroupKind)
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, &NotInstalledError{Kind: k, Err: err}
		}
		return nil, err
	}
	return m, nil
}

// Served checks that the cluster serves the kind. It asks discovery, so it
// also finds out early whether the API server can be reached at all.
func Served(c Clients, k Kind) error {
	_, err := mapping(c.Mapper, k)
	var ni *NotInstalledError
	if err == nil || errors.As(err, &ni) || c.Explain == nil {
		return err
	}
	return c.Explain(err, "discover", k.Resource+"."+k.Group)
}
