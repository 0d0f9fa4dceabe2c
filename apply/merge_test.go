package apply

import (
	"encoding/json"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// y decodes YAML into JSON values with int64 integers, as unstructured
// objects hold them.
func y(t *testing.T, s string) map[string]any {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	return normalize(m).(map[string]any)
}

func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
	case float64:
		if v == float64(int64(v)) {
			return int64(v)
		}
	}
	return v
}

func fields(t *testing.T, s string) fieldSet {
	t.Helper()
	return parseFieldSet([]byte(s))
}

func TestAppliedSpec(t *testing.T) {
	tests := []struct {
		name   string
		live   string
		stanza string
		mine   string // vmhealth's set below the VMI spec
		want   string
	}{
		{
			name:   "first apply sends the stanza only",
			live:   "domain: {memory: {guest: 1Gi}}",
			stanza: "readinessProbe: {tcpSocket: {port: 22}}",
			want:   "readinessProbe: {tcpSocket: {port: 22}}",
		},
		{
			name:   "a liveness probe applied before is sent again unchanged",
			live:   "livenessProbe: {tcpSocket: {port: 22}, periodSeconds: 30}\nreadinessProbe: {httpGet: {port: 80}}",
			stanza: "readinessProbe: {tcpSocket: {port: 22}}",
			mine:   `{"f:livenessProbe":{".":{},"f:tcpSocket":{".":{},"f:port":{}},"f:periodSeconds":{}},"f:readinessProbe":{".":{},"f:httpGet":{".":{},"f:port":{}}}}`,
			want:   "readinessProbe: {tcpSocket: {port: 22}}\nlivenessProbe: {tcpSocket: {port: 22}, periodSeconds: 30}",
		},
		{
			name:   "only the part of an earlier probe that vmhealth owns",
			live:   "livenessProbe: {tcpSocket: {port: 22}, periodSeconds: 30, timeoutSeconds: 5}",
			stanza: "readinessProbe: {tcpSocket: {port: 22}}",
			mine:   `{"f:livenessProbe":{".":{},"f:tcpSocket":{".":{},"f:port":{}}}}`,
			want:   "readinessProbe: {tcpSocket: {port: 22}}\nlivenessProbe: {tcpSocket: {port: 22}}",
		},
		{
			name:   "an earlier watchdog is kept",
			live:   "domain: {devices: {watchdog: {name: w, i6300esb: {action: reset}}, disks: []}}",
			stanza: "readinessProbe: {tcpSocket: {port: 22}}",
			mine:   `{"f:domain":{"f:devices":{"f:watchdog":{".":{},"f:name":{},"f:i6300esb":{".":{},"f:action":{}}}}}}`,
			want:   "readinessProbe: {tcpSocket: {port: 22}}\ndomain: {devices: {watchdog: {name: w, i6300esb: {action: reset}}}}",
		},
		{
			name:   "a field vmhealth owned that is gone now is not sent",
			live:   "readinessProbe: {tcpSocket: {port: 22}}",
			stanza: "readinessProbe: {tcpSocket: {port: 22}}",
			mine:   `{"f:livenessProbe":{".":{},"f:tcpSocket":{}}}`,
			want:   "readinessProbe: {tcpSocket: {port: 22}}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := StanzaFromSpec(y(t, tt.stanza))
			if err != nil {
				t.Fatal(err)
			}
			got := appliedSpec(y(t, tt.live), s, fields(t, tt.mine))
			if want := y(t, tt.want); !jsonEqual(got, want) {
				t.Errorf("appliedSpec =\n%v\nwant\n%v", got, want)
			}
		})
	}
}

func TestSSAMerge(t *testing.T) {
	tests := []struct {
		name         string
		live, sent   string
		mine, others string
		want         string
	}{
		{
			name: "new probe next to other fields",
			live: "domain: {memory: {guest: 1Gi}}", sent: "readinessProbe: {tcpSocket: {port: 22}}",
			others: `{"f:domain":{"f:memory":{"f:guest":{}}}}`,
			want:   "domain: {memory: {guest: 1Gi}}\nreadinessProbe: {tcpSocket: {port: 22}}",
		},
		{
			name: "switching handler removes the one vmhealth set",
			live: "readinessProbe: {httpGet: {port: 80}, periodSeconds: 5}",
			sent: "readinessProbe: {tcpSocket: {port: 22}, periodSeconds: 5}",
			mine: `{"f:readinessProbe":{".":{},"f:httpGet":{".":{},"f:port":{}},"f:periodSeconds":{}}}`,
			want: "readinessProbe: {tcpSocket: {port: 22}, periodSeconds: 5}",
		},
		{
			name:   "a handler another manager set stays: two handlers",
			live:   "readinessProbe: {httpGet: {port: 80}}",
			sent:   "readinessProbe: {tcpSocket: {port: 22}}",
			others: `{"f:readinessProbe":{".":{},"f:httpGet":{".":{},"f:port":{}}}}`,
			want:   "readinessProbe: {httpGet: {port: 80}, tcpSocket: {port: 22}}",
		},
		{
			name:   "a field both owned stays when vmhealth stops sending it",
			live:   "readinessProbe: {tcpSocket: {port: 22}, periodSeconds: 5}",
			sent:   "readinessProbe: {tcpSocket: {port: 22}}",
			mine:   `{"f:readinessProbe":{".":{},"f:tcpSocket":{".":{},"f:port":{}},"f:periodSeconds":{}}}`,
			others: `{"f:readinessProbe":{"f:periodSeconds":{}}}`,
			want:   "readinessProbe: {tcpSocket: {port: 22}, periodSeconds: 5}",
		},
		{
			name: "lists are replaced",
			live: "livenessProbe: {exec: {command: [a, b]}}",
			sent: "livenessProbe: {exec: {command: [c]}}",
			want: "livenessProbe: {exec: {command: [c]}}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ssaMerge(y(t, tt.live), y(t, tt.sent), fields(t, tt.mine), fields(t, tt.others))
			if want := y(t, tt.want); !jsonEqual(got, want) {
				t.Errorf("ssaMerge =\n%v\nwant\n%v", got, want)
			}
		})
	}
}

func TestLocalConflicts(t *testing.T) {
	live := y(t, "readinessProbe: {tcpSocket: {port: 22}, periodSeconds: 5}")
	own := ownership{others: map[string]fieldSet{
		"ops": fields(t, `{"f:spec":{"f:template":{"f:spec":{"f:readinessProbe":{"f:periodSeconds":{}}}}}}`),
	}}
	prefix := []string{"spec", "template", "spec"}

	if got := localConflicts(live, y(t, "readinessProbe: {periodSeconds: 5, tcpSocket: {port: 22}}"), own, prefix); len(got) != 0 {
		t.Errorf("same value: conflicts %v, want none", got)
	}
	got := localConflicts(live, y(t, "readinessProbe: {periodSeconds: 20}"), own, prefix)
	want := []Conflict{{Field: ".spec.template.spec.readinessProbe.periodSeconds", Managers: []string{"ops"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("conflicts = %v, want %v", got, want)
	}
}

func TestMergePatchSpec(t *testing.T) {
	tests := []struct {
		name, live, stanza, want string
	}{
		{
			name: "the stanza's probe replaces the live one whole",
			live: "readinessProbe: {httpGet: {port: 80, path: /}, periodSeconds: 5}", stanza: "readinessProbe: {tcpSocket: {port: 22}}",
			want: "readinessProbe: {httpGet: null, periodSeconds: null, tcpSocket: {port: 22}}",
		},
		{
			name: "a probe the stanza does not mention is left alone",
			live: "livenessProbe: {tcpSocket: {port: 22}}", stanza: "readinessProbe: {tcpSocket: {port: 22}}",
			want: "readinessProbe: {tcpSocket: {port: 22}}",
		},
		{
			name: "watchdog",
			live: "domain: {devices: {watchdog: {name: w, i6300esb: {action: reset}}}}", stanza: "domain: {devices: {watchdog: {name: w, i6300esb: {action: poweroff}}}}",
			want: "domain: {devices: {watchdog: {i6300esb: {action: poweroff}}}}",
		},
		{
			name: "nothing to change", live: "readinessProbe: {tcpSocket: {port: 22}}", stanza: "readinessProbe: {tcpSocket: {port: 22}}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := StanzaFromSpec(y(t, tt.stanza))
			if err != nil {
				t.Fatal(err)
			}
			live := y(t, tt.live)
			got := mergePatchSpec(live, s)
			if tt.want == "" {
				if got != nil {
					t.Fatalf("patch = %v, want none", got)
				}
				return
			}
			if want := y(t, tt.want); !jsonEqual(got, want) {
				t.Fatalf("patch =\n%v\nwant\n%v", got, want)
			}
			// Applying the patch gives the stanza's health checks.
			after := applyMergePatch(live, got).(map[string]any)
			for _, p := range healthPaths(s.Spec(), nil) {
				gv, _ := yamlpos.GetValue(after, p)
				wv, _ := yamlpos.GetValue(s.Spec(), p)
				if !jsonEqual(gv, wv) {
					t.Errorf("after the patch %v = %v, want %v", p, gv, wv)
				}
			}
		})
	}
}

func TestOwnedPart(t *testing.T) {
	v := y(t, "tcpSocket: {port: 22}\nperiodSeconds: 5")
	got, ok := ownedPart(v, fields(t, `{".":{},"f:tcpSocket":{".":{},"f:port":{}}}`))
	if want := y(t, "tcpSocket: {port: 22}"); !ok || !jsonEqual(got, want) {
		t.Errorf("ownedPart = %v, %v; want %v", got, ok, want)
	}
	if _, ok := ownedPart(v, nil); ok {
		t.Error("ownedPart with no set reports ownership")
	}
}

func TestFieldSetOwns(t *testing.T) {
	s := fields(t, `{"f:spec":{"f:a":{".":{},"f:b":{}},"f:list":{}}}`)
	for _, tt := range []struct {
		path []string
		want bool
	}{
		{[]string{"spec", "a", "b"}, true},
		{[]string{"spec", "a", "c"}, false},
		{[]string{"spec", "list", "0", "x"}, true}, // a wholly owned ancestor
		{[]string{"other"}, false},
	} {
		if got := s.owns(tt.path); got != tt.want {
			t.Errorf("owns(%v) = %v, want %v", tt.path, got, tt.want)
		}
	}
	if (fieldSet{}).owns([]string{"spec"}) {
		t.Error("an empty set owns something")
	}
}
