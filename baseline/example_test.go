package baseline_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vmhealth/vmhealth/baseline"
	"github.com/vmhealth/vmhealth/validate"
)

// Record today's findings, then gate a later run on new ones only.
func Example() {
	dir, _ := os.MkdirTemp("", "baseline")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, ".vmhealth-baseline.json")

	old := validate.Finding{RuleID: "unknown-field", File: "vm.yaml", Line: 14, Field: "spec.template.spec.readinessProbe.periodSecond"}
	rec := baseline.NewRecorder(path)
	rec.Add(old)
	if err := rec.Write(); err != nil {
		fmt.Println(err)
		return
	}

	b, err := baseline.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	moved := old
	moved.Line = 24 // an unrelated edit pushed it down
	added := validate.Finding{RuleID: "invalid-type", File: "vm.yaml", Line: 30, Field: "spec.template.spec.livenessProbe.failureThreshold"}
	for _, f := range []validate.Finding{moved, added} {
		if b.Apply(&f) {
			fmt.Printf("%s: accepted (%s)\n", f.RuleID, f.Suppressed.Kind)
		} else {
			fmt.Printf("%s: new\n", f.RuleID)
		}
	}
	// Output:
	// unknown-field: accepted (baseline)
	// invalid-type: new
}
