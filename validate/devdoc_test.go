package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDevelopmentDoc holds docs/development.md to what it says: the
// directories of its layout, the files its steps for adding a rule name
// (for every rule there is), the registration pattern, the tests it lists
// (each in the file it names) and the make targets it runs all exist.
func TestDevelopmentDoc(t *testing.T) {
	root := ".."
	data, err := os.ReadFile(filepath.Join(root, "docs", "development.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	section := func(title string) string {
		_, rest, ok := strings.Cut(doc, "\n## "+title+"\n")
		if !ok {
			t.Fatalf("docs/development.md has no section %q", title)
		}
		s, _, _ := strings.Cut(rest, "\n## ")
		return s
	}
	firstCell := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")

	// Layout: every directory named exists.
	dirs := firstCell.FindAllStringSubmatch(section("Layout"), -1)
	if len(dirs) < 10 {
		t.Fatalf("Layout lists %d directories", len(dirs))
	}
	for _, m := range dirs {
		if st, err := os.Stat(filepath.Join(root, m[1])); err != nil || !st.IsDir() {
			t.Errorf("Layout names %s, which is not a directory", m[1])
		}
	}

	// Adding a rule: the files named with <id> exist for every rule, and
	// every rule file registers the rule its name says, once.
	adding := section("Adding a rule")
	files := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z/_.]*<id>[a-z/_.]*)`").FindAllStringSubmatch(adding, -1) {
		files[m[1]] = true
	}
	for _, want := range []string{"validate/rule_<id>.go", "validate/testdata/rules/<id>/fail.yaml", "validate/testdata/rules/<id>/pass.yaml"} {
		if !files[want] {
			t.Errorf("Adding a rule does not name %s", want)
		}
	}
	rules := DefaultRegistry.Rules()
	for _, r := range rules {
		for f := range files {
			id := r.ID
			if strings.HasSuffix(f, ".go") {
				id = strings.ReplaceAll(id, "-", "_")
			}
			if _, err := os.Stat(filepath.Join(root, strings.ReplaceAll(f, "<id>", id))); err != nil {
				t.Errorf("rule %s: %v", r.ID, err)
			}
		}
	}
	ruleFiles, _ := filepath.Glob("rule_*.go")
	registered := 0
	for _, f := range ruleFiles {
		if strings.HasSuffix(f, "_test.go") || f == "rule_helpers.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(f, "rule_"), ".go"), "_", "-")
		if n := bytes.Count(src, []byte("var _ = mustRegister(&Rule{")); n != 1 {
			t.Errorf("%s: %d mustRegister(&Rule{ calls, want 1", f, n)
		}
		if _, ok := DefaultRegistry.Get(id); !ok || !bytes.Contains(src, []byte(`"`+id+`"`)) {
			t.Errorf("%s does not register rule %s", f, id)
		}
		registered++
	}
	if registered != len(rules) {
		t.Errorf("%d rule files for %d registered rules: every rule has its own file and nothing else registers one", registered, len(rules))
	}
	if !strings.Contains(adding, "make docs") || !strings.Contains(adding, "# want: <id>") {
		t.Error("Adding a rule no longer says how fixtures are marked and docs regenerated")
	}

	// The tests listed exist in the files named.
	testRow := regexp.MustCompile("(?m)^\\| `(Test[A-Za-z]+)` \\| `([^`]+)` \\|")
	tests := testRow.FindAllStringSubmatch(adding, -1)
	if len(tests) < 6 {
		t.Fatalf("Adding a rule lists %d tests", len(tests))
	}
	for _, m := range tests {
		src, err := os.ReadFile(filepath.Join(root, m[2]))
		if err != nil {
			t.Errorf("%s: %v", m[1], err)
			continue
		}
		if !bytes.Contains(src, []byte("func "+m[1]+"(t *testing.T)")) {
			t.Errorf("%s names %s, which has no func %s", m[1], m[2], m[1])
		}
	}

	// The make targets run exist.
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := regexp.MustCompile("(?m)^\\| `make ([a-z-]+)` \\|").FindAllStringSubmatch(section("Running the tests"), -1)
	if len(targets) < 4 {
		t.Fatalf("Running the tests lists %d make targets", len(targets))
	}
	for _, m := range targets {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(m[1]) + `:`).Match(makefile) {
			t.Errorf("make %s: no such target in the Makefile", m[1])
		}
	}
}
