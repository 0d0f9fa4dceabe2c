package rulesdoc

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md")

// TestRulesDoc keeps docs/rules.md in step with the registry and the
// fixtures; run with -update (make docs) to regenerate it.
func TestRulesDoc(t *testing.T) {
	examples := map[string][]Example{}
	for _, r := range validate.DefaultRegistry.Rules() {
		for _, ex := range []struct{ file, title string }{{"fail.yaml", "Reported"}, {"pass.yaml", "Not reported"}} {
			data, err := os.ReadFile(filepath.Join("..", "..", "validate", "testdata", "rules", r.ID, ex.file))
			if err != nil || bytes.Count(data, []byte("\n")) > 60 || len(data) > 3000 {
				continue // long fixtures make poor documentation
			}
			examples[r.ID] = append(examples[r.ID], Example{Title: ex.title, YAML: string(data)})
		}
	}
	if len(examples) == 0 {
		t.Fatal("no rule fixture read")
	}
	var b bytes.Buffer
	if err := Write(&b, validate.DefaultRegistry.Rules(), examples); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "rules.md")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("docs/rules.md is out of date: run `make docs` (go test ./internal/rulesdoc -run TestRulesDoc -update)")
	}
}
