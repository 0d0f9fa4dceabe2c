package benchcorpus_test

import (
	"bytes"
	"testing"

	"github.com/vmhealth/vmhealth/internal/benchcorpus"
	"github.com/vmhealth/vmhealth/validate"
)

// TestMessyEveryVMHasFindings lints a small messy corpus: every VM must
// have at least two findings, and the Services must make the
// readiness-probe-missing rule report.
func TestMessyEveryVMHasFindings(t *testing.T) {
	c := benchcorpus.Messy
	c.VMs = 300
	var buf bytes.Buffer
	if err := c.WriteStream(&buf); err != nil {
		t.Fatal(err)
	}
	findings, sum := validate.New(validate.Options{}).LintBytes("messy.yaml", buf.Bytes())
	if sum.Objects != c.VMs {
		t.Fatalf("%d objects, want %d", sum.Objects, c.VMs)
	}
	perVM := map[string]int{}
	rules := map[string]int{}
	for _, f := range findings {
		perVM[f.Object.Name]++
		rules[f.RuleID]++
	}
	for i := range c.VMs {
		name := "vm-" + pad5(i)
		if perVM[name] < 2 {
			t.Errorf("%s has %d findings, want at least 2", name, perVM[name])
		}
	}
	if rules["readiness-probe-missing"] == 0 {
		t.Errorf("no readiness-probe-missing findings: %v", rules)
	}
}

func pad5(i int) string {
	b := []byte("00000")
	for p := 4; i > 0 && p >= 0; p-- {
		b[p] = byte('0' + i%10)
		i /= 10
	}
	return string(b)
}
