package yamldecode

import (
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	v1 "kubevirt.io/api/core/v1"
)

func decodeVM(t *testing.T, src string, template bool) (*v1.VirtualMachine, []Issue) {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	vm := &v1.VirtualMachine{}
	res := Decode(&n, vm, Options{Template: template, SkipStatus: true})
	return vm, res.Issues
}

const probeVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: vm
spec:
  template:
    spec:
      readinessProbe:
%s
`

func TestDecoderIssues(t *testing.T) {
	tests := []struct {
		name     string
		probe    string
		kind     Kind
		path     string
		line     int
		contains string
	}{
		{"unknown field with suggestion", "        periodSecond: 20", UnknownField, "spec.template.spec.readinessProbe.periodSecond", 9, `did you mean "periodSeconds"`},
		{"case mistake", "        PeriodSeconds: 20", UnknownField, "spec.template.spec.readinessProbe.PeriodSeconds", 9, `did you mean "periodSeconds"`},
		{"no suggestion for far names", "        frobnicate: 1", UnknownField, "spec.template.spec.readinessProbe.frobnicate", 9, `unknown field "frobnicate"`},
		{"duplicate", "        periodSeconds: 20\n        periodSeconds: 5", DuplicateKey, "spec.template.spec.readinessProbe.periodSeconds", 10, "first at line 9"},
		{"string for int", `        periodSeconds: "20"`, InvalidType, "spec.template.spec.readinessProbe.periodSeconds", 9, "remove the quotes"},
		{"int32 overflow", "        periodSeconds: 99999999999", InvalidType, "spec.template.spec.readinessProbe.periodSeconds", 9, "32-bit"},
		{"list for object", "        httpGet: [1]", InvalidType, "spec.template.spec.readinessProbe.httpGet", 9, "must be an object"},
		{"bool for port", "        tcpSocket: {port: true}", InvalidType, "spec.template.spec.readinessProbe.tcpSocket.port", 9, "an integer or a string"},
		{"number for string", "        exec: {command: [1]}", InvalidType, "spec.template.spec.readinessProbe.exec.command[0]", 9, "quote it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, issues := decodeVM(t, strings.Replace(probeVM, "%s", tc.probe, 1), false)
			if len(issues) != 1 {
				t.Fatalf("got %d issues, want 1: %+v", len(issues), issues)
			}
			is := issues[0]
			if is.Kind != tc.kind || is.Path != tc.path || is.Node.Line != tc.line || !strings.Contains(is.Message, tc.contains) {
				t.Errorf("got {%v %s line %d %q}, want {%v %s line %d …%q…}", is.Kind, is.Path, is.Node.Line, is.Message, tc.kind, tc.path, tc.line, tc.contains)
			}
		})
	}
}

func TestDecoderFillsTypes(t *testing.T) {
	vm, issues := decodeVM(t, strings.Replace(probeVM, "%s", "        httpGet: {port: http, path: /healthz}\n        periodSeconds: 0x14\n        failureThreshold: 1_0", 1), false)
	if len(issues) != 0 {
		t.Fatalf("issues: %+v", issues)
	}
	p := vm.Spec.Template.Spec.ReadinessProbe
	if p.HTTPGet.Port.StrVal != "http" || p.HTTPGet.Path != "/healthz" || p.PeriodSeconds != 20 || p.FailureThreshold != 10 {
		t.Errorf("decoded %+v", p)
	}
}

func TestDecoderPreservesUnknownWhereTheCRDDoes(t *testing.T) {
	src := `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm}
spec:
  template:
    metadata:
      whatever: 1
    spec:
      domain:
        clock: {anything: goes}
status:
  notAField: true
`
	if _, issues := decodeVM(t, src, false); len(issues) != 0 {
		t.Errorf("issues: %+v", issues)
	}
}

func TestDecoderTemplateParameters(t *testing.T) {
	_, issues := decodeVM(t, strings.Replace(probeVM, "%s", "        guestAgentPing: {}\n        periodSeconds: ${PERIOD}", 1), true)
	if len(issues) != 1 || issues[0].Kind != TemplateParam {
		t.Fatalf("issues: %+v", issues)
	}
	_, issues = decodeVM(t, strings.Replace(probeVM, "%s", "        periodSeconds: ${PERIOD}", 1), false)
	if len(issues) != 1 || issues[0].Kind != InvalidType {
		t.Fatalf("outside a template a placeholder is a type error: %+v", issues)
	}
}

func TestDecoderMergeKeys(t *testing.T) {
	src := `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm}
x-defaults: &defaults {periodSeconds: 20, timeoutSeconds: 5}
spec:
  template:
    spec:
      readinessProbe:
        <<: *defaults
        guestAgentPing: {}
        timeoutSeconds: 5
`
	vm, issues := decodeVM(t, src, false)
	if len(issues) != 1 || issues[0].Path != "x-defaults" {
		t.Fatalf("want only the unknown x-defaults: %+v", issues)
	}
	if p := vm.Spec.Template.Spec.ReadinessProbe; p.PeriodSeconds != 20 || p.TimeoutSeconds != 5 {
		t.Errorf("merge keys not applied: %+v", p)
	}
}

func TestSuggestField(t *testing.T) {
	known := []string{"readinessProbe", "livenessProbe", "periodSeconds", "timeoutSeconds", "domain"}
	for in, want := range map[string]string{
		"livenesProbe": "livenessProbe", "livenessProve": "livenessProbe", "readiness": "readinessProbe",
		"periodSceonds": "periodSeconds", "domian": "domain", "zzz": "", "timeout": "timeoutSeconds",
	} {
		if got := Suggest(in, known); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDecoderWrongTypeWording keeps a list or an object from being quoted
// as if it were a value: `timer must be an object, not a list ""` was the
// old wording.
func TestDecoderWrongTypeWording(t *testing.T) {
	tests := []struct{ name, probe, want string }{
		{"list for object", "        httpGet: [1]", "httpGet must be an object, not a list"},
		{"object for int", "        periodSeconds: {a: 1}", "periodSeconds must be an integer, not an object"},
		{"null for object", "        exec: [~]", "exec must be an object, not a list"},
		{"scalar keeps its value", "        httpGet: yes", `httpGet must be an object, not a string "yes"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, issues := decodeVM(t, strings.Replace(probeVM, "%s", tc.probe, 1), false)
			if len(issues) != 1 || issues[0].Message != tc.want {
				t.Fatalf("issues %+v, want one with message %q", issues, tc.want)
			}
		})
	}
}
