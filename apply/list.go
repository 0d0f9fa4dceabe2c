package apply

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
)

// DefaultPageSize is how many objects one list request asks for. Lists are
// paginated so that a cluster with thousands of VMs is read in bounded
// pieces rather than one response the API server has to build whole.
const DefaultPageSize = 250

// ListOptions choose the objects List reads.
type ListOptions struct {
	// Namespace to list; empty lists all namespaces.
	Namespace string
	// Selector is a label selector in kubectl's syntax.
	Selector string
	// PageSize is the limit of one request; 0 means DefaultPageSize.
	PageSize int64
}

// List calls fn with every object of the kind that matches, page by page.
// A kind the cluster does not serve gives a *NotInstalledError.
func List(ctx context.Context, c Clients, k Kind, opts ListOptions, fn func(*unstructured.Unstructured) error) error {
	if opts.Selector != "" {
		if _, err := labels.Parse(opts.Selector); err != nil {
			return fmt.Errorf("label selector %q: %w", opts.Selector, err)
		}
	}
	if err := Served(c, k); err != nil {
		return err
	}
	m, err := mapping(c.Mapper, k)
	if err != nil {
		return err
	}
	ri := c.Dynamic.Resource(m.Resource).Namespace(opts.Namespace)
	lo := metav1.ListOptions{LabelSelector: opts.Selector, Limit: opts.PageSize}
	if lo.Limit <= 0 {
		lo.Limit = DefaultPageSize
	}
	for {
		page, err := ri.List(ctx, lo)
		if err != nil {
			if c.Explain != nil {
				return c.Explain(err, "list", k.Resource+"."+k.Group)
			}
			return err
		}
		for i := range page.Items {
			if err := fn(&page.Items[i]); err != nil {
				return err
			}
		}
		if lo.Continue = page.GetContinue(); lo.Continue == "" {
			return nil
		}
	}
}

// Select returns a target for every object of the kind that matches,
// each with the stanza.
func Select(ctx context.Context, c Clients, k Kind, opts ListOptions, s *Stanza) ([]Target, error) {
	var out []Target
	err := List(ctx, c, k, opts, func(u *unstructured.Unstructured) error {
		out = append(out, Target{Kind: k, Namespace: u.GetNamespace(), Name: u.GetName(), Stanza: s})
		return nil
	})
	return out, err
}
