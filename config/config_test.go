package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/internal/yamldecode"
	"github.com/vmhealth/vmhealth/validate"
)

const full = `# Every key.
failOn: warning
architecture: arm64
minBootSeconds: 120
maxDocumentBytes: 8Mi
ignore:
  - vendor/**
  - "**/*.generated.yaml"
rules:
  template-parameter:
    enabled: false
  probe-host-set:
    severity: error
  watchdog-guest-setup:
    enabled: true
    severity: warning
`

func TestParseFull(t *testing.T) {
	c, err := Parse(".vmhealth.yaml", []byte(full), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.FailOn != "warning" || c.Architecture != "arm64" || c.MinBootSeconds != 120 || c.MaxDocumentBytes != 8<<20 {
		t.Errorf("scalars = %+v", c.File)
	}
	if want := []string{"vendor/**", "**/*.generated.yaml"}; !reflect.DeepEqual(c.Ignore, want) {
		t.Errorf("Ignore = %q", c.Ignore)
	}
	if got := c.Disabled(); !reflect.DeepEqual(got, []string{"template-parameter"}) {
		t.Errorf("Disabled() = %q", got)
	}
	want := map[string]validate.Severity{"probe-host-set": validate.SeverityError, "watchdog-guest-setup": validate.SeverityWarning}
	if got := c.SeverityOverrides(); !reflect.DeepEqual(got, want) {
		t.Errorf("SeverityOverrides() = %v", got)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# nothing\n", "---\n", "~\n"} {
		c, err := Parse("c.yaml", []byte(in), nil)
		if err != nil {
			t.Errorf("Parse(%q) = %v", in, err)
			continue
		}
		if !reflect.DeepEqual(c.File, File{}) {
			t.Errorf("Parse(%q) = %+v, want nothing set", in, c.File)
		}
	}
}

// Every mistake is an error naming the key and its position.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "unknown key with a suggestion", in: "fialOn: error\n", want: `c.yaml:1:1: unknown key "fialOn" (did you mean "failOn"?)`},
		{name: "unknown key without one", in: "failOn: error\ncolour: true\n", want: `c.yaml:2:1: unknown key "colour" (known keys: architecture, failOn, ignore, maxDocumentBytes, minBootSeconds, rules)`},
		{name: "unknown key in a rule", in: "rules:\n  probe-host-set:\n    sevrity: error\n", want: `c.yaml:3:5: rules.probe-host-set: unknown key "sevrity" (did you mean "severity"?)`},
		{name: "unknown rule with a suggestion", in: "rules:\n  probe-hots-set:\n    enabled: false\n", want: `c.yaml:2:3: rules.probe-hots-set: unknown rule "probe-hots-set" (did you mean "probe-host-set"?)`},
		{name: "unknown rule without one", in: "rules:\n  no-such-thing-at-all:\n    enabled: false\n", want: `rules.no-such-thing-at-all: unknown rule "no-such-thing-at-all"; run 'vmhealth rules' to list them`},
		{name: "bad severity", in: "rules:\n  probe-host-set:\n    severity: fatal\n", want: `c.yaml:3:15: rules.probe-host-set.severity: "fatal" is not a severity (one of: error, warning, info)`},
		{name: "bad failOn", in: "failOn: never\n", want: `c.yaml:1:9: failOn: "never" is not a severity`},
		{name: "bad architecture", in: "architecture: x86_64\n", want: `c.yaml:1:15: architecture: "x86_64" is not an architecture vmhealth knows (one of: amd64, arm64, s390x)`},
		{name: "number as string", in: "minBootSeconds: soon\n", want: `c.yaml:1:17: minBootSeconds: must be a whole number, not "soon"`},
		{name: "number out of range", in: "minBootSeconds: -5\n", want: `c.yaml:1:17: minBootSeconds: must be at least 1, not -5`},
		{name: "bad size", in: "maxDocumentBytes: lots\n", want: `c.yaml:1:19: maxDocumentBytes: "lots" is not a size in bytes`},
		{name: "bad boolean", in: "rules:\n  probe-host-set:\n    enabled: maybe\n", want: `c.yaml:3:14: rules.probe-host-set.enabled: must be true or false, not "maybe"`},
		{name: "ignore not a list", in: "ignore: vendor\n", want: `c.yaml:1:9: ignore: must be a list of strings, not "vendor"`},
		{name: "bad glob", in: "ignore:\n  - ok/**\n  - \"[\"\n", want: `c.yaml:3:5: ignore[1]: "[" is not a valid glob pattern`},
		{name: "empty glob", in: "ignore:\n  - \"\"\n", want: `c.yaml:2:5: ignore[0]: must not be empty`},
		{name: "rules not a mapping", in: "rules: [a]\n", want: `c.yaml:1:8: rules: must be a mapping of rule IDs to settings, not a list`},
		{name: "rule settings not a mapping", in: "rules:\n  probe-host-set: off\n", want: `c.yaml:2:19: rules.probe-host-set: must be a mapping of keys, not "off"`},
		{name: "top level not a mapping", in: "- failOn\n", want: `c.yaml:1:1: must be a mapping of keys, not a list`},
		{name: "key written twice", in: "failOn: error\nfailOn: info\n", want: `c.yaml:2:1: failOn: written twice (first at line 1)`},
		{name: "rule written twice", in: "rules:\n  probe-host-set: {}\n  probe-host-set: {}\n", want: `c.yaml:3:3: rules.probe-host-set: written twice (first at line 2)`},
		{name: "not YAML", in: "failOn: [\n", want: `c.yaml: line 1: did not find expected node content`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.in), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() error =\n%v\nwant one containing\n%s", err, tt.want)
			}
		})
	}
}

// All the mistakes of a file are reported at once, in file order.
func TestParseReportsEveryError(t *testing.T) {
	_, err := Parse("c.yaml", []byte("failOn: never\narchitecture: x86\nrules:\n  nope-nope-nope: {}\n"), nil)
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "c.yaml:1:") || !strings.HasPrefix(lines[2], "c.yaml:4:") {
		t.Errorf("errors =\n%v", err)
	}
}

func TestIgnored(t *testing.T) {
	dir := t.TempDir()
	c := &Config{Dir: dir, File: File{Ignore: []string{"vendor/**", "**/*.generated.yaml", "charts/*/templates", "tmp/"}}}
	tests := []struct {
		file string
		want bool
	}{
		{file: "vendor/a.yaml", want: true},
		{file: "vendor/deep/er/a.yaml", want: true},
		{file: "vm.generated.yaml", want: true},
		{file: "deep/er/vm.generated.yaml", want: true},
		{file: "charts/web/templates/vm.yaml", want: true},
		{file: "charts/web/templates/sub/vm.yaml", want: true},
		{file: "tmp/x.yaml", want: true},
		{file: "charts/web/values.yaml"},
		{file: "manifests/vm.yaml"},
		{file: "myvendor/a.yaml"},
		{file: "-"},
		{file: ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			file := tt.file
			if file != "" && file != "-" {
				file = filepath.Join(dir, filepath.FromSlash(file))
			}
			if got := c.Ignored(file); got != tt.want {
				t.Errorf("Ignored(%q) = %v, want %v", tt.file, got, tt.want)
			}
		})
	}
	if c.Ignored(filepath.Join(filepath.Dir(dir), "vendor", "a.yaml")) {
		t.Errorf("a file outside the configuration's directory was ignored")
	}
}

func TestFindWalksUp(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Find(deep); err != nil || got != "" {
		// A stray file above the temporary directory would make this
		// test meaningless rather than wrong.
		if !strings.HasPrefix(got, root) && got != "" {
			t.Skipf("a %s above %s: %s", FileName, root, got)
		}
		t.Fatalf("Find() = %q, %v before any file exists", got, err)
	}
	for _, dir := range []string{root, filepath.Join(root, "a", "b")} {
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte("failOn: info\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Find(deep)
	if err != nil || got != filepath.Join(root, "a", "b", FileName) {
		t.Errorf("Find() = %q, %v, want the nearest file", got, err)
	}
	c, err := Load(got, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != filepath.Join(root, "a", "b") || c.FailOn != "info" {
		t.Errorf("Load() = %+v", c)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if err == nil || !strings.Contains(err.Error(), "reading configuration") {
		t.Errorf("Load() error = %v", err)
	}
}

// FuzzParse checks that no input makes Parse panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	f.Add([]byte("rules:\n  x: {enabled: [}\n"))
	f.Add([]byte("ignore: [\"**\", \"[\"]\nmaxDocumentBytes: 1e3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse("fuzz.yaml", data, nil)
	})
}

// The example in examples/ci is the one docs/ci.md shows; it must load, and
// the page must describe every key.
func TestExampleAndDocs(t *testing.T) {
	if _, err := Load(filepath.Join("..", "examples", "ci", "vmhealth.yaml"), nil); err != nil {
		t.Errorf("examples/ci/vmhealth.yaml: %v", err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[File](), reflect.TypeFor[Rule]()} {
		keys, _ := yamldecode.FieldNames(typ, "")
		if len(keys) == 0 {
			t.Fatalf("%v has no keys", typ)
		}
		for _, key := range keys {
			if !strings.Contains(string(doc), "`"+key) && !strings.Contains(string(doc), "."+key+"`") {
				t.Errorf("docs/ci.md does not describe the key %q", key)
			}
		}
	}
}

// TestParseSharedDecoder: .vmhealth.yaml is read by the decoder manifests
// are read with, so anchors and aliases work in it, and a key it does not
// know is an error wherever it is written, status included.
func TestParseSharedDecoder(t *testing.T) {
	c, err := Parse("c.yaml", []byte("rules:\n  probe-host-set: &off {enabled: false}\n  template-parameter: *off\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Disabled(); !reflect.DeepEqual(got, []string{"probe-host-set", "template-parameter"}) {
		t.Errorf("Disabled() = %q, want both rules the alias names", got)
	}
	_, err = Parse("c.yaml", []byte("failOn: error\nstatus: {}\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `c.yaml:2:1: unknown key "status"`) {
		t.Errorf("status: error = %v, want an unknown key", err)
	}
}
