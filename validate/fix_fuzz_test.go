package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// FuzzFixBytes holds the fixer to what it promises on any input: no panic;
// no fix, no change; a fixed file still parses, has no finding the input
// did not have, and keeps every comment on a line of its own.
func FuzzFixBytes(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "rules", "*", "fail.yaml"))
	fixes, _ := filepath.Glob(filepath.Join("testdata", "fix", "*.yaml"))
	for _, p := range append(seeds, fixes...) {
		if data, err := os.ReadFile(p); err == nil && len(data) < 8<<10 {
			f.Add(data)
		}
	}
	l := New(Options{Workers: 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := l.FixBytes("in.yaml", data)
		if err != nil {
			return
		}
		if len(res.Fixed) == 0 {
			if string(res.Data) != string(data) {
				t.Fatal("nothing fixed, yet the bytes changed")
			}
			return
		}
		var n yaml.Node
		for dec := yaml.NewDecoder(strings.NewReader(string(res.Data))); ; {
			if err := dec.Decode(&n); err != nil {
				if err.Error() == "EOF" {
					break
				}
				t.Fatalf("the fixed file no longer parses: %v\n%s", err, res.Data)
			}
		}
		before, _ := l.LintBytes("in.yaml", data)
		after, _ := l.LintBytes("in.yaml", res.Data)
		want := findingKeys(before)
		for _, fx := range res.Fixed {
			want[fx.Finding.RuleID+" "+fx.Finding.Object.WithPath()+" "+fx.Finding.Field]--
		}
		for k, c := range findingKeys(after) {
			if c > want[k] {
				t.Fatalf("new finding after fixing: %s\n%s", k, res.Data)
			}
		}
		for _, line := range strings.Split(string(data), "\n") {
			if s := strings.TrimSpace(line); strings.HasPrefix(s, "#") && !strings.Contains(string(res.Data), line) {
				t.Fatalf("comment line lost: %q\n%s", line, res.Data)
			}
		}
	})
}
