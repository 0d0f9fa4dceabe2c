package explain

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/internal/golden"
)

// TestGolden explains each fixture in text and JSON.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(in)
			r := File(name, data, Options{})
			var text, js bytes.Buffer
			if err := WriteText(&text, r); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, []*Report{r}); err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(in, ".yaml")
			golden.Check(t, base+".txt", text.Bytes())
			golden.Check(t, base+".json", js.Bytes())
		})
	}
}

// TestSeedTiming checks the numbers for the documentation's examples
// against the arithmetic done by hand.
func TestSeedTiming(t *testing.T) {
	data, err := os.ReadFile("testdata/seed-examples.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := File("seed-examples.yaml", data, Options{})
	if len(r.Objects) != 4 {
		t.Fatalf("%d objects, want 4", len(r.Objects))
	}
	tests := []struct {
		object string
		want   Timing
	}{
		// delay 120+10; period 20; timeout 10; success 3; failure 3.
		{object: "http-readiness", want: Timing{FirstProbeSeconds: 130, EarliestSuccessSeconds: 170,
			HangDetectedMinSeconds: 50, HangDetectedMaxSeconds: 70, RefusedDetectedMinSeconds: 40, RefusedDetectedMaxSeconds: 60,
			RecoverMinSeconds: 40, RecoverMaxSeconds: 60}},
		// success 1 (default): Ready on the first probe.
		{object: "tcp-readiness", want: Timing{FirstProbeSeconds: 130, EarliestSuccessSeconds: 130,
			HangDetectedMinSeconds: 50, HangDetectedMaxSeconds: 70, RefusedDetectedMinSeconds: 40, RefusedDetectedMaxSeconds: 60,
			RecoverMinSeconds: 0, RecoverMaxSeconds: 20}},
		// Killed at the earliest when the 3rd probe, sent at 170 s, times out.
		{object: "http-liveness", want: Timing{FirstProbeSeconds: 130, EarliestSuccessSeconds: 130,
			HangDetectedMinSeconds: 50, HangDetectedMaxSeconds: 70, RefusedDetectedMinSeconds: 40, RefusedDetectedMaxSeconds: 60,
			EarliestKillSeconds: 180}},
	}
	for i, tt := range tests {
		o := r.Objects[i]
		if o.Ref.Name != tt.object || len(o.Probes) != 1 {
			t.Fatalf("object %d is %s with %d probes", i, o.Ref.Name, len(o.Probes))
		}
		if got := o.Probes[0].Timing; got != tt.want {
			t.Errorf("%s: timing %+v, want %+v", tt.object, got, tt.want)
		}
	}
	w := r.Objects[3].Watchdog
	if w == nil || w.Model != "i6300esb" || w.Action != "poweroff" || !w.ActionWritten || w.GuestSetUp {
		t.Errorf("watchdog %+v", w)
	}
}

func TestExplainDefaultsAndOffsets(t *testing.T) {
	data, err := os.ReadFile("testdata/mixed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := File("mixed.yaml", data, Options{})
	byName := map[string]*Object{}
	for _, o := range r.Objects {
		byName[o.Ref.Name] = o
	}
	batch := byName["batch"].Probes[0]
	// exec: default timeout 1 s, +1 s through the guest agent; delay 0+10.
	if batch.Written.TimeoutSeconds != nil {
		t.Errorf("timeout written = %v, want not written", *batch.Written.TimeoutSeconds)
	}
	if *batch.Defaulted.TimeoutSeconds != 1 || *batch.Kubelet.TimeoutSeconds != 2 || *batch.Kubelet.InitialDelaySeconds != 10 {
		t.Errorf("exec probe: defaulted %+v, kubelet %+v", batch.Defaulted, batch.Kubelet)
	}
	if batch.Timing.EarliestKillSeconds != 10+2*10+2 {
		t.Errorf("earliest kill %d, want 32", batch.Timing.EarliestKillSeconds)
	}
	if !hasRule(byName["batch"], "liveness-kills-before-boot") {
		t.Errorf("the batch VMI should carry lint's liveness-kills-before-boot finding: %v", ruleIDs(byName["batch"]))
	}
	// A written 0 is shown as written and replaced by the default.
	workers := byName["workers"].Probes[0]
	if workers.Written.PeriodSeconds == nil || *workers.Written.PeriodSeconds != 0 || *workers.Defaulted.PeriodSeconds != 10 {
		t.Errorf("written 0: written %v, defaulted %v", workers.Written.PeriodSeconds, *workers.Defaulted.PeriodSeconds)
	}
	if workers.Timing.EarliestSuccessSeconds != 10+4*10 {
		t.Errorf("earliest Ready %d, want 50", workers.Timing.EarliestSuccessSeconds)
	}
	main := byName["mainframe"]
	if main.Ref.Path != "items[0]" || main.RunStrategy != "Always" {
		t.Errorf("mainframe: path %q, runStrategy %q", main.Ref.Path, main.RunStrategy)
	}
	if w := main.Watchdog; w.Model != "diag288" || w.ModelWritten || w.Action != "reset" || w.ActionWritten {
		t.Errorf("s390x watchdog %+v, want KubeVirt's diag288 and reset", w)
	}
	if !hasRule(byName["confused"], "probe-multiple-handlers") {
		t.Errorf("confused: %v", ruleIDs(byName["confused"]))
	}
	if len(byName["nothing"].Probes) != 0 || byName["nothing"].Watchdog != nil {
		t.Errorf("nothing: %+v", byName["nothing"])
	}
}

func TestExplainBrokenFile(t *testing.T) {
	r := File("broken.yaml", []byte("kind: VirtualMachine\nspec: [\n"), Options{})
	if len(r.Objects) != 0 || len(r.Findings) == 0 || r.Findings[0].RuleID != "yaml-syntax" {
		t.Errorf("objects %d, findings %+v", len(r.Objects), r.Findings)
	}
}

func TestJSONShape(t *testing.T) {
	data, _ := os.ReadFile("testdata/seed-examples.yaml")
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []*Report{File("seed.yaml", data, Options{})}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files []struct {
			File    string `json:"file"`
			Objects []struct {
				Probes []struct {
					Type    string `json:"type"`
					Written struct {
						SuccessThreshold *int `json:"successThreshold"`
					} `json:"written"`
					Kubelet struct {
						InitialDelaySeconds int `json:"initialDelaySeconds"`
					} `json:"kubelet"`
					Timing struct {
						FirstProbeSeconds int `json:"firstProbeSeconds"`
					} `json:"timing"`
				} `json:"probes"`
			} `json:"objects"`
		} `json:"files"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Files[0].Objects[1].Probes[0]
	if p.Type != "readiness" || p.Written.SuccessThreshold != nil || p.Kubelet.InitialDelaySeconds != 130 || p.Timing.FirstProbeSeconds != 130 {
		t.Errorf("tcp readiness in JSON: %+v", p)
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 112: "112th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

func hasRule(o *Object, id string) bool { return slices.Contains(ruleIDs(o), id) }

func ruleIDs(o *Object) []string {
	var ids []string
	for _, f := range o.Findings {
		ids = append(ids, f.RuleID)
	}
	return ids
}

// FuzzFile feeds arbitrary input to File and both writers: nothing may
// panic, and every object found is explained.
func FuzzFile(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*.yaml")
	for _, in := range inputs {
		if data, err := os.ReadFile(in); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := File("fuzz.yaml", data, Options{})
		var buf bytes.Buffer
		if err := WriteText(&buf, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&buf, []*Report{r}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestExplainGuestSetUpAsLintReadsIt: explain reads the user data the way
// the watchdog-guest-setup rule does, so a comment naming the watchdog
// sets nothing up, and a package list does.
func TestExplainGuestSetUpAsLintReadsIt(t *testing.T) {
	vm := func(userData string) []byte {
		return []byte(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          watchdog: {name: wd, i6300esb: {action: reset}}
      volumes:
        - name: cloudinit
          cloudInitNoCloud:
            userData: |
` + userData)
	}
	for _, tt := range []struct {
		name, userData string
		want           bool
	}{
		{"comment only", "              #cloud-config\n              # TODO: install the watchdog daemon\n", false},
		{"installed", "              #cloud-config\n              packages: [watchdog]\n", true},
	} {
		r := File("vm.yaml", vm(tt.userData), Options{})
		if len(r.Objects) != 1 || r.Objects[0].Watchdog == nil {
			t.Fatalf("%s: report %+v", tt.name, r)
		}
		if got := r.Objects[0].Watchdog.GuestSetUp; got != tt.want {
			t.Errorf("%s: GuestSetUp = %v, want %v", tt.name, got, tt.want)
		}
	}
}
