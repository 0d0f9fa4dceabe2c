package dist

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

type actionStep struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
	Run  string            `yaml:"run"`
}

type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

var exprRE = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// runAction runs the run: steps of action.yml as a runner would, with
// ${{ }} expressions for inputs, github.action_path and step outputs
// resolved; uses: steps (setup-go, upload-sarif) are the runner's and are
// returned with their inputs resolved instead.
func runAction(t *testing.T, inputs map[string]string, workdir string) (status string, failed bool, uses []actionStep) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q", a.Runs.Using)
	}
	in := map[string]string{}
	for k, v := range a.Inputs {
		in[k] = v.Default
	}
	for k, v := range inputs {
		if _, ok := a.Inputs[k]; !ok {
			t.Fatalf("action.yml has no input %q", k)
		}
		in[k] = v
	}
	temp := t.TempDir()
	ghPath, ghOut := filepath.Join(temp, "path"), filepath.Join(temp, "output")
	outputs := map[string]map[string]string{}
	resolve := func(s string) string {
		return exprRE.ReplaceAllStringFunc(s, func(m string) string {
			e := exprRE.FindStringSubmatch(m)[1]
			switch {
			case e == "github.action_path":
				return repoRoot
			case strings.HasPrefix(e, "inputs."):
				return in[strings.TrimPrefix(e, "inputs.")]
			case strings.HasPrefix(e, "steps."):
				parts := strings.Split(e, ".") // steps.ID.outputs.NAME
				return outputs[parts[1]][parts[3]]
			}
			t.Fatalf("expression %q not understood by this test", e)
			return ""
		})
	}
	for _, st := range a.Runs.Steps {
		if st.Uses != "" {
			r := actionStep{Uses: st.Uses, If: st.If, With: map[string]string{}}
			for k, v := range st.With {
				r.With[k] = resolve(v)
			}
			uses = append(uses, r)
			continue
		}
		if err := os.WriteFile(ghOut, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "-e", "-c", st.Run)
		cmd.Dir = workdir
		cmd.Env = append(os.Environ(), "RUNNER_TEMP="+temp, "GITHUB_PATH="+ghPath, "GITHUB_OUTPUT="+ghOut, "CGO_ENABLED=0")
		for k, v := range st.Env {
			cmd.Env = append(cmd.Env, k+"="+resolve(v))
		}
		out, err := cmd.CombinedOutput()
		t.Logf("step %q:\n%s", st.Name, out)
		if err != nil {
			return outputs["lint"]["status"], true, uses
		}
		if st.ID != "" {
			b, _ := os.ReadFile(ghOut)
			outputs[st.ID] = map[string]string{}
			for _, l := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(l, "="); ok {
					outputs[st.ID][k] = v
				}
			}
		}
	}
	return outputs["lint"]["status"], false, uses
}

func TestActionSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds vmhealth twice; run without -short")
	}
	work := t.TempDir()
	for name, src := range map[string]string{
		"good/vm.yaml": "examples/good/web-vm.yaml",
		"bad/vm.yaml":  "examples/broken/watchdog-explode.yaml",
	} {
		data, err := os.ReadFile(filepath.Join(repoRoot, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(work, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	status, failed, uses := runAction(t, map[string]string{"paths": "bad/", "sarif-file": "out.sarif"}, work)
	if status != "1" || !failed {
		t.Errorf("findings: status %q failed %v, want status 1 and a failed job", status, failed)
	}
	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	data, err := os.ReadFile(filepath.Join(work, "out.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sarif); err != nil || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
		t.Errorf("SARIF (%v): %s", err, data)
	}
	var upload *actionStep
	for i := range uses {
		if strings.HasPrefix(uses[i].Uses, "github/codeql-action/upload-sarif@") {
			upload = &uses[i]
		}
	}
	if upload == nil || upload.With["sarif_file"] != "out.sarif" || !strings.Contains(upload.If, "inputs.upload-sarif == 'true'") {
		t.Errorf("upload-sarif step %+v, want the lint's SARIF file uploaded by default", upload)
	}

	status, failed, _ = runAction(t, map[string]string{"paths": "good/"}, work)
	if status != "0" || failed {
		t.Errorf("clean: status %q failed %v, want 0 and a passing job", status, failed)
	}
	status, failed, _ = runAction(t, map[string]string{"paths": "bad/", "fail-job": "false"}, work)
	if status != "1" || failed {
		t.Errorf("fail-job false: status %q failed %v, want 1 and a passing job", status, failed)
	}
}

// TestExampleWorkflowUsesAction checks that examples/ci's workflow passes
// the action only inputs it has.
func TestExampleWorkflowUsesAction(t *testing.T) {
	var a action
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []actionStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	data, err = os.ReadFile(filepath.Join(repoRoot, "examples/ci/github-actions.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	used := 0
	for job, j := range wf.Jobs {
		for _, st := range j.Steps {
			if !strings.HasPrefix(st.Uses, "vmhealth/vmhealth@") {
				continue
			}
			used++
			for k := range st.With {
				if _, ok := a.Inputs[k]; !ok {
					t.Errorf("job %s passes %q, which action.yml does not declare", job, k)
				}
			}
		}
	}
	if used == 0 {
		t.Error("examples/ci/github-actions.yml does not use the action")
	}
}
