package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseInitTrace(t *testing.T) {
	trace := `init internal/bytealg @0.010 ms, 0 ms clock, 0 bytes, 0 allocs
vmhealth devel
init k8s.io/client-go/kubernetes/scheme @54 ms, 4.7 ms clock, 669384 bytes, 5586 allocs
init github.com/santhosh-tekuri/jsonschema/v6 @22 ms, 18 ms clock, 1701832 bytes, 21293 allocs
`
	lines, err := parseInitTrace([]byte(trace))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %+v", len(lines), lines)
	}
	if l := lines[1]; l.pkg != "k8s.io/client-go/kubernetes/scheme" || l.clock != 4700*time.Microsecond {
		t.Errorf("line 2: %+v", l)
	}
	if l := lines[2]; l.clock != 18*time.Millisecond {
		t.Errorf("line 3: %+v", l)
	}
	if _, err := parseInitTrace([]byte("init runtime @0.1 ms, 0.12 ms wall, 0 bytes\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a line of another shape: err = %v, want one naming line 1", err)
	}
}

func TestModuleOf(t *testing.T) {
	for pkg, want := range map[string]string{
		"k8s.io/client-go/kubernetes/scheme":       "k8s.io/client-go",
		"github.com/santhosh-tekuri/jsonschema/v6": "github.com/santhosh-tekuri/jsonschema",
		"helm.sh/helm/v4/pkg/engine":               "helm.sh/helm/v4",
		"encoding/json":                            "Go runtime and standard library",
		"sigs.k8s.io/kustomize/api/krusty":         "sigs.k8s.io/kustomize",
		"github.com/vmhealth/vmhealth/validate":    "github.com/vmhealth/vmhealth",
	} {
		if got := moduleOf(pkg); got != want {
			t.Errorf("moduleOf(%q) = %q, want %q", pkg, got, want)
		}
	}
}
