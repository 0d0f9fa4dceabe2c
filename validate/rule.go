package validate

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Category groups rules by when KubeVirt would notice the problem, if ever.
type Category string

const (
	// CategoryInput covers problems in the file itself: YAML syntax, unknown
	// fields, duplicate keys, wrong types.
	CategoryInput Category = "input"
	// CategoryAdmission covers what KubeVirt's admission rejects.
	CategoryAdmission Category = "admission"
	// CategoryLauncher covers what admission accepts but Kubernetes rejects
	// when the virt-launcher pod is created: the VM never starts.
	CategoryLauncher Category = "launcher"
	// CategoryRuntime covers what is accepted and silently wrong at run time.
	CategoryRuntime Category = "runtime"
	// CategoryBestPractice covers advice from operating KubeVirt.
	CategoryBestPractice Category = "best-practice"
)

// CheckFunc inspects one KubeVirt object with the rule's parameters. Field
// paths in the returned errors are relative to the object
// (spec.template.spec.livenessProbe…); the engine turns them into
// positions.
type CheckFunc func(o *Object, p Params) field.ErrorList

// Rule is one check with its documentation. Rules are values: the registry
// holds them, docs/rules.md is generated from them, and every output format
// reads their metadata.
type Rule struct {
	// ID is stable, lowercase and hyphenated; it is what users write in
	// suppression annotations and config files.
	ID       string
	Severity Severity
	Category Category
	// Summary is one line, for rule lists.
	Summary string
	// Description explains, in Markdown, what KubeVirt does and why the rule
	// exists.
	Description string
	// Remediation tells the user how to fix a finding.
	Remediation string
	// Check runs the rule. It is nil for input rules, whose findings the
	// loader and decoder produce.
	Check CheckFunc
	// FileCheck runs a rule that needs the other objects of the same file
	// (the Services that select a VM). A rule has Check or FileCheck.
	FileCheck FileCheckFunc
	// FileFacts picks out of an object what FileCheck needs to know about
	// it once the object is gone (ObjectFacts.Facts), or reports false when
	// FileCheck has nothing to say about the object. The engine keeps facts
	// only for the objects some rule wants, and holds back output from the
	// first of them to the end of the file. Nil means every object, with
	// nil Facts.
	FileFacts func(o *Object) (facts any, ok bool)
	// Params declares the numbers the rule can be tuned with; Check and
	// FileCheck read them from their Params.
	Params []Param
	// CEL is the rule's form for a ValidatingAdmissionPolicy, or why it has
	// none (see CELRule). Every error-level rule says one or the other.
	CEL *CELRule
	// Fix is how Linter.FixBytes fixes a finding, or why it cannot
	// (see Fix). Every rule says one or the other.
	Fix *Fix
}

// Registry holds rules by ID and refuses duplicates.
type Registry struct {
	mu    sync.RWMutex
	rules map[string]*Rule
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{rules: map[string]*Rule{}} }

// Register adds a rule; it fails on an empty or duplicate ID.
func (r *Registry) Register(rule *Rule) error {
	if rule == nil || rule.ID == "" {
		return fmt.Errorf("rule without an ID")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.rules[rule.ID]; dup {
		return fmt.Errorf("rule %q registered twice", rule.ID)
	}
	r.rules[rule.ID] = rule
	return nil
}

// Get returns the rule with the given ID.
func (r *Registry) Get(id string) (*Rule, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	rule, ok := r.rules[id]
	return rule, ok
}

// Rules returns all rules sorted by ID.
func (r *Registry) Rules() []*Rule {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Rule, 0, len(r.rules))
	for _, rule := range r.rules {
		out = append(out, rule)
	}
	slices.SortFunc(out, func(a, b *Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// DefaultRegistry holds every rule vmhealth ships. Rule files add themselves
// to it with mustRegister.
var DefaultRegistry = NewRegistry()

func mustRegister(rule *Rule) *Rule {
	if err := DefaultRegistry.Register(rule); err != nil {
		panic(err) // a programming error caught by every test run
	}
	return rule
}
