package render

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/internal/golden"

	"github.com/vmhealth/vmhealth/validate"
)

// fixtureDir holds manifests whose findings are marked in the text: a line
// ending in "# want: rule-a, rule-b" is where those rules report. Every
// format's golden file over them shows real findings on known lines.
const fixtureDir = "testdata/fixtures"

// fixtureRules are the rules the fixtures exercise. Linting with only
// these keeps the goldens still when other rules are added.
var fixtureRules = []string{
	validate.YAMLSyntaxRuleID, validate.UnknownFieldRuleID, validate.InvalidTypeRuleID, validate.DuplicateKeyRuleID,
	"probe-multiple-handlers", "liveness-success-threshold", "watchdog-action", "watchdog-guest-setup",
}

func fixtureRegistry(t *testing.T) *validate.Registry {
	t.Helper()
	reg := validate.NewRegistry()
	for _, id := range fixtureRules {
		r, ok := validate.DefaultRegistry.Get(id)
		if !ok {
			t.Fatalf("rule %s is not registered", id)
		}
		if err := reg.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// lintFixtures lints the fixture directory as the CLI would and returns the
// findings in output order and the summary.
func lintFixtures(t *testing.T) ([]validate.Finding, *validate.Summary) {
	t.Helper()
	l := validate.MustNew(validate.Options{Registry: fixtureRegistry(t), Workers: 1})
	var out []validate.Finding
	sum, err := l.Lint(context.Background(), []string{fixtureDir}, nil, func(f validate.Finding) { out = append(out, f) })
	if err != nil {
		t.Fatal(err)
	}
	return out, sum
}

var wantMarker = regexp.MustCompile(`# want: ([a-z0-9-]+(?:, *[a-z0-9-]+)*)`)

// fixtureWants reads the want markers: file → line → rule IDs.
func fixtureWants(t *testing.T) map[string]map[int][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wants := map[string]map[int][]string{}
	for _, file := range files {
		wants[file] = map[int][]string{}
		for i, line := range fixtureLines(t, file) {
			if m := wantMarker.FindStringSubmatch(line); m != nil {
				for _, id := range strings.Split(m[1], ",") {
					wants[file][i+1] = append(wants[file][i+1], strings.TrimSpace(id))
				}
			}
		}
	}
	return wants
}

func fixtureLines(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// The fixtures are only worth their goldens if the findings are where the
// markers say: every finding on a marked line, every marker found.
func TestFixtureFindingsOnKnownLines(t *testing.T) {
	findings, _ := lintFixtures(t)
	wants := fixtureWants(t)
	for _, f := range findings {
		file := filepath.FromSlash(f.File)
		if !slices.Contains(wants[file][f.Line], f.RuleID) {
			t.Errorf("%s: %s reported on a line not marked for it", f.Location(), f.RuleID)
			continue
		}
		wants[file][f.Line] = slices.DeleteFunc(wants[file][f.Line], func(id string) bool { return id == f.RuleID })
	}
	for file, lines := range wants {
		for line, ids := range lines {
			for _, id := range ids {
				t.Errorf("%s:%d: %s marked but not reported", file, line, id)
			}
		}
	}
}

// keyAt checks that (line, col) of file, counted in characters as SARIF's
// unicodeCodePoints column kind says, is where the finding's field is
// written: its key, or the value right after it.
func keyAt(t *testing.T, file string, line, col int, field string) {
	t.Helper()
	lines := fixtureLines(t, file)
	if line < 1 || line > len(lines) {
		t.Errorf("%s:%d: line out of range", file, line)
		return
	}
	text := []rune(lines[line-1])
	if col < 1 || col > len(text) {
		t.Errorf("%s:%d:%d: column out of range in %q", file, line, col, string(text))
		return
	}
	key := field[strings.LastIndexByte(field, '.')+1:]
	at, before := string(text[col-1:]), strings.TrimRight(string(text[:col-1]), " ")
	if !strings.HasPrefix(at, key+":") && !strings.HasSuffix(before, key+":") {
		t.Errorf("%s:%d:%d points at %q, not at the key %q or its value", file, line, col, at, key)
	}
}

// goldenFixtures runs one format over the fixtures.
func goldenFixtures(t *testing.T, format string, opts Options) []byte {
	t.Helper()
	findings, sum := lintFixtures(t)
	if opts.Registry == nil {
		opts.Registry = fixtureRegistry(t)
	}
	var buf bytes.Buffer
	f, err := New(format, &buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, fi := range findings {
		if err := f.Write(fi); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Flush(sum); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGoldenFixtures writes every format over the same fixture findings.
func TestGoldenFixtures(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			out := goldenFixtures(t, format, Options{ToolVersion: "v0.0.0-test", FailOn: validate.SeverityError})
			golden.Check(t, filepath.Join("testdata", "fixtures-"+format+".golden"), out)
		})
	}
}
