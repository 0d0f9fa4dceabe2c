package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const corpusDir = "../testdata/corpus"

// verdict is one row of kubevirt-verdicts.json: what KubeVirt's own admission
// code decided for one object of the corpus.
type verdict struct {
	File     string  `json:"file"`
	Doc      *int    `json:"doc"`
	Object   *string `json:"object"`
	Kind     *string `json:"kind"`
	Name     *string `json:"name"`
	Accepted *bool   `json:"accepted"`
	Causes   []struct {
		Field   *string `json:"field"`
		Message string  `json:"message"`
	} `json:"causes"`
}

func lintCorpus(t *testing.T) ([]Finding, *Summary) {
	t.Helper()
	var out []Finding
	sum, err := MustNew(Options{}).Lint(context.Background(), []string{filepath.Join(corpusDir, "files")}, nil, func(f Finding) {
		f.File = strings.TrimPrefix(filepath.ToSlash(f.File), corpusDir+"/files/")
		out = append(out, f)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, sum
}

// TestCorpusReadsEverything lints all 88 real manifests: none may crash a
// rule, fail to be read, or go unnoticed.
func TestCorpusReadsEverything(t *testing.T) {
	findings, sum := lintCorpus(t)
	if sum.Files != 88 {
		t.Errorf("read %d files, want 88", sum.Files)
	}
	if len(sum.InputErrors) != 0 {
		t.Errorf("input errors: %v", sum.InputErrors)
	}
	if sum.Objects < 170 {
		t.Errorf("linted %d KubeVirt objects, want at least the 170 in the corpus", sum.Objects)
	}
	for _, f := range findings {
		if f.RuleID == InternalErrorRuleID {
			t.Errorf("internal error: %s: %s", f.Location(), f.Message)
		}
		if f.Line == 0 {
			t.Errorf("finding without a line: %+v", f)
		}
	}
}

// TestCorpusKnownMistakes pins the real authors' health-check mistakes of the
// corpus to the exact line where they are written.
func TestCorpusKnownMistakes(t *testing.T) {
	findings, _ := lintCorpus(t)
	cases := []struct {
		name, file string
		line       int
		rule       string
	}{
		{"misspelled livenessProbe", "kubevirt-user-guide/liveness_and_readiness_probes@76fa79c9--b00-L39.yaml", 26, UnknownFieldRuleID},
		{"grpc handler", "harvester-harvester/20260528-health-check-probes@cfdfad3f--b03-L197.yaml", 10, UnknownFieldRuleID},
		{"broken readiness probe", "kube-dc-kube-dc-public/ubuntu-24-04.yaml", 49, YAMLSyntaxRuleID},
		{"empty readiness probe", "harvester-harvester/20260528-health-check-probes@cfdfad3f--b10-L349.yaml", 4, "probe-no-handler"},
		{"empty liveness probe", "harvester-harvester/20260528-health-check-probes@cfdfad3f--b10-L349.yaml", 5, "probe-no-handler"},
		{"watchdog action 'string'", "kubevirt-kubevirt.github.io/2018-05-08-KubeVirt-objects--b09-L183.yaml", 3, "watchdog-action"},
		{"watchdog action 'actionValue'", "kubevirt-kubevirt/apitesting-HEAD-kubevirt.io.v1.VirtualMachine.yaml", 545, "watchdog-action"},
		{"callout in a watchdog snippet", "openshift-openshift-docs/virt-defining-a-watchdog--b00-L24.yaml", 19, YAMLSyntaxRuleID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range findings {
				if f.File == tc.file && f.Line == tc.line && f.RuleID == tc.rule && f.Severity == SeverityError {
					return
				}
			}
			var near []string
			for _, f := range findings {
				if f.File == tc.file {
					near = append(near, fmt.Sprintf("%d:%d %s %s", f.Line, f.Column, f.RuleID, f.Message))
				}
			}
			t.Errorf("no %s error at %s:%d; findings in that file:\n  %s", tc.rule, tc.file, tc.line, strings.Join(near, "\n  "))
		})
	}
}

var causePath = regexp.MustCompile(`^(spec\.[A-Za-z0-9_.]+)`)

// healthPath reports whether a field path concerns a health check.
func healthPath(p string) bool {
	return strings.Contains(p, "Probe") || strings.Contains(p, "Prove") || strings.Contains(p, "watchdog")
}

// TestCorpusAgreesWithKubeVirt compares vmhealth's verdicts with KubeVirt's
// own admission code run on every object of the corpus: what KubeVirt
// accepts gets no admission or input error, and every health-check cause
// KubeVirt rejects is an error on the same field path.
func TestCorpusAgreesWithKubeVirt(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir, "kubevirt-verdicts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var verdicts []verdict
	if err := json.Unmarshal(data, &verdicts); err != nil {
		t.Fatal(err)
	}
	findings, _ := lintCorpus(t)
	byObject := map[string][]Finding{}
	for _, f := range findings {
		key := fmt.Sprintf("%s#%d#%s", f.File, f.Document, f.Object.Path)
		byObject[key] = append(byObject[key], f)
	}
	category := map[string]Category{}
	for _, r := range DefaultRegistry.Rules() {
		category[r.ID] = r.Category
	}
	checked := 0
	for _, v := range verdicts {
		if v.Accepted == nil || v.Doc == nil || v.Kind == nil {
			continue // fragments, unparseable files, kinds KubeVirt's code did not judge
		}
		path := ""
		if v.Object != nil {
			path = *v.Object
		}
		got := byObject[fmt.Sprintf("%s#%d#%s", v.File, *v.Doc, path)]
		checked++
		if *v.Accepted {
			for _, f := range got {
				c := category[f.RuleID]
				if f.Severity == SeverityError && (c == CategoryAdmission || c == CategoryInput) {
					t.Errorf("%s %s/%s: KubeVirt accepts it, vmhealth says %s at %s: %s", v.File, *v.Kind, deref(v.Name), f.RuleID, f.Field, f.Message)
				}
			}
			continue
		}
		for _, cause := range v.Causes {
			p := deref(cause.Field)
			if m := causePath.FindStringSubmatch(cause.Message); p == "" && m != nil {
				p = m[1]
			}
			if !healthPath(p) {
				continue
			}
			found := false
			for _, f := range got {
				if f.Severity == SeverityError && strings.HasPrefix(stripIndices(f.Field), p) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s %s/%s: KubeVirt rejects %s (%s); vmhealth reports no error there", v.File, *v.Kind, deref(v.Name), p, cause.Message)
			}
		}
	}
	if checked < 150 {
		t.Errorf("compared only %d objects with KubeVirt's verdicts", checked)
	}
}

var indices = regexp.MustCompile(`\[[^\]]*\]`)

// stripIndices turns spec.volumes[0].x into spec.volumes.x, as the API
// server's schema errors name fields.
func stripIndices(p string) string { return indices.ReplaceAllString(p, "") }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
