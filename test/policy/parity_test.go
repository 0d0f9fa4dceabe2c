package policy_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/vmhealth/vmhealth/policy"
	"github.com/vmhealth/vmhealth/policy/policytest"
	"github.com/vmhealth/vmhealth/validate"
)

// parityWorkers is how many objects are created at once.
const parityWorkers = 16

// TestParity runs lint and the live policies over the same objects, every
// KubeVirt object of the rule fixtures (validate/testdata/rules) and of the
// real-world corpus (testdata/corpus), and fails on any disagreement:
//
//   - with action Deny, an object is rejected exactly when lint finds an
//     error of a rule the policies enforce, and the rejection is one of
//     lint's messages for it, word for word: "[rule] field: message";
//   - with action Warn and every rule that has a CEL form, warnings
//     included, the object is admitted and the warnings are all of lint's
//     messages among those rules, no more and no less.
//
// Objects the API server refuses before any policy runs (the CRD schema
// rejects an unknown field or a wrong type, or the apiVersion is not
// served) are left out and counted, as are objects that cannot be sent as
// written (Template parameters, snippets that are not valid YAML). Each
// object is created in both modes under a name of its own, since fixtures
// reuse names; a fixture's "# vmhealth-options: arch=…" selects policies
// generated for that default architecture.
func TestParity(t *testing.T) {
	start := time.Now()
	c := newCluster(t)
	cases, err := policytest.Collect("../../validate/testdata/rules/*/*.yaml", "../../testdata/corpus/files/*/*.yaml")
	if err != nil {
		t.Fatal(err)
	}

	type namespaces struct{ deny, warn string }
	nsFor := map[string]namespaces{}
	var denyIDs, warnIDs []string
	for _, cs := range cases {
		if _, ok := nsFor[cs.Arch]; ok {
			continue
		}
		arch := cs.Arch
		if arch == "" {
			arch = "default"
		}
		deny := generate(t, "deny-"+arch, policy.Options{Architecture: cs.Arch})
		warn := generate(t, "warn-"+arch, policy.Options{Architecture: cs.Arch, Rules: inCluster(),
			Actions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn}})
		c.install(t, deny)
		c.install(t, warn)
		nsFor[cs.Arch] = namespaces{
			deny: c.namespace(t, map[string]string{modeLabel: "deny-" + arch}),
			warn: c.namespace(t, map[string]string{modeLabel: "warn-" + arch}),
		}
		denyIDs, warnIDs = nil, nil
		for _, r := range deny.Rules {
			denyIDs = append(denyIDs, r.ID)
		}
		for _, r := range warn.Rules {
			warnIDs = append(warnIDs, r.ID)
		}
	}
	for _, ns := range nsFor {
		c.waitActive(t, ns.deny, false)
		c.waitActive(t, ns.warn, true)
	}
	active := time.Now()

	// The CRD schema requires domain.devices, which many fixtures leave
	// out as no rule needs it: add an empty one, which no rule reads
	// differently, rather than lose the object.
	withDevices := 0
	for _, cs := range cases {
		if cs.Skip == "" && addDevices(cs.Object) {
			withDevices++
		}
	}

	type result struct{ deny, warn outcome }
	results := make([]result, len(cases))
	ctx := context.Background()
	sem := make(chan struct{}, parityWorkers)
	var wg sync.WaitGroup
	for i, cs := range cases {
		if cs.Skip != "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			name := fmt.Sprintf("case-%03d", i)
			ns := nsFor[cs.Arch]
			results[i] = result{deny: c.create(ctx, cs.Object, ns.deny, name, false), warn: c.create(ctx, cs.Object, ns.warn, name, false)}
		}()
	}
	wg.Wait()
	created := time.Now()

	var (
		skipped, refused       = map[string]int{}, map[string]int{}
		compared, rejected     = map[bool]int{}, map[bool]int{} // by fixture (true) or corpus
		disagreements, objects int
		exercised              = map[string]bool{}
	)
	for i, cs := range cases {
		objects++
		if cs.Skip != "" {
			skipped[cs.Skip]++
			continue
		}
		r := results[i]
		if r.deny.Refused != nil || r.warn.Refused != nil {
			if (r.deny.Refused == nil) != (r.warn.Refused == nil) {
				disagreements++
				t.Errorf("%s: refused in one namespace only: deny: %v; warn: %v", cs, r.deny.Refused, r.warn.Refused)
			}
			refused[refusal(r.deny.Refused)]++
			continue
		}
		fixture := strings.Contains(cs.File, "testdata/rules/")
		compared[fixture]++
		want, wantWarn := cs.Want(denyIDs), cs.Want(warnIDs)
		var problems []string
		switch {
		case len(want) == 0 && r.deny.Denied != "":
			problems = append(problems, "the policy denies it, lint finds no error of its rules: "+r.deny.Denied)
		case len(want) > 0 && r.deny.Denied == "":
			problems = append(problems, "lint finds errors the policy admits")
		case len(want) > 0 && !slices.Contains(want, r.deny.Denied):
			problems = append(problems, "denied with a message lint does not give: "+r.deny.Denied)
		}
		if r.deny.Denied != "" {
			rejected[fixture]++
		}
		got := slices.Sorted(slices.Values(r.warn.Warnings))
		if !slices.Equal(got, wantWarn) {
			problems = append(problems, "the warnings are not lint's findings:\n      warn: "+strings.Join(got, "\n            ")+
				"\n      lint: "+strings.Join(wantWarn, "\n            "))
		}
		for _, m := range append(got, r.deny.Denied) {
			if id, _, ok := strings.Cut(strings.TrimPrefix(m, "["), "]"); ok && strings.HasPrefix(m, "[") {
				exercised[id] = true
			}
		}
		if len(problems) > 0 {
			disagreements++
			t.Errorf("%s:\n  %s", cs, strings.Join(problems, "\n  "))
		}
	}
	for _, id := range warnIDs {
		if !exercised[id] {
			t.Errorf("no object made the API server report rule %s", id)
		}
	}

	t.Logf("parity: %d objects in %d files; %d compared (%d fixtures, %d corpus), %d rejected (%d fixtures, %d corpus), %d admitted; %d disagreements",
		objects, countFiles(cases), compared[true]+compared[false], compared[true], compared[false],
		rejected[true]+rejected[false], rejected[true], rejected[false],
		compared[true]+compared[false]-rejected[true]-rejected[false], disagreements)
	t.Logf("given the domain.devices: {} the CRD requires: %d", withDevices)
	t.Logf("left out, refused by the API server before any policy: %d%s", sum(refused), breakdown(refused))
	t.Logf("left out, not sendable as written: %d%s", sum(skipped), breakdown(skipped))
	t.Logf("timing: policies active after %v, %d objects created twice in %v (%d at once)",
		active.Sub(start).Round(time.Millisecond), objects-sum(skipped), created.Sub(active).Round(time.Millisecond), parityWorkers)
}

// refusal sums up why the API server refused an object.
func refusal(err error) string {
	var se *apierrors.StatusError
	if !errors.As(err, &se) {
		return err.Error()
	}
	msg := se.ErrStatus.Message
	switch {
	case strings.Contains(msg, "strict decoding error"):
		return "unknown field (strict decoding)"
	case apierrors.IsNotFound(err):
		return "apiVersion not served"
	case apierrors.IsInvalid(err):
		var fields []string
		if d := se.ErrStatus.Details; d != nil {
			for _, c := range d.Causes {
				fields = append(fields, string(c.Type)+" "+lastSegment(c.Field))
			}
		}
		slices.Sort(fields)
		return "schema: " + strings.Join(slices.Compact(fields), ", ")
	}
	return string(se.ErrStatus.Reason) + ": " + msg
}

func lastSegment(field string) string {
	if i := strings.LastIndex(field, "."); i >= 0 {
		return field[i+1:]
	}
	return field
}

func countFiles(cases []*policytest.Case) int {
	files := map[string]bool{}
	for _, c := range cases {
		files[c.File] = true
	}
	return len(files)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func breakdown(m map[string]int) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "\n    %3d  %s", m[k], k)
	}
	return b.String()
}

// addDevices adds an empty domain.devices to the object's VMI spec when
// its domain has none, and reports whether it did.
func addDevices(obj map[string]any) bool {
	kind, _ := obj["kind"].(string)
	for _, k := range policy.Kinds {
		if k.Kind != kind {
			continue
		}
		m := obj
		for _, f := range strings.Split(k.SpecPath+".domain", ".") {
			next, ok := m[f].(map[string]any)
			if !ok {
				return false
			}
			m = next
		}
		if _, ok := m["devices"]; ok {
			return false
		}
		m["devices"] = map[string]any{}
		return true
	}
	return false
}

// inCluster lists every rule with a CEL form, whatever its severity.
func inCluster() []string {
	var ids []string
	for _, r := range validate.DefaultRegistry.Rules() {
		if r.InCluster() {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
