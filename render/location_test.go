package render

import (
	"testing"

	"github.com/vmhealth/vmhealth/validate"
)

func TestPlaceOf(t *testing.T) {
	for _, tt := range []struct {
		file      string
		line, col int
		want      place
		ok        bool
	}{
		{"vm.yaml", 3, 5, place{"vm.yaml", 3, 5}, true},
		{"vm.yaml", 0, 5, place{file: "vm.yaml"}, true},
		{"vm.yaml", 2, -1, place{"vm.yaml", 2, 0}, true},
		{validate.StdinName, 3, 5, place{}, false},
		{"", 0, 0, place{}, false},
	} {
		if got, ok := placeOf(tt.file, tt.line, tt.col); got != tt.want || ok != tt.ok {
			t.Errorf("placeOf(%q, %d, %d) = %+v, %v; want %+v, %v", tt.file, tt.line, tt.col, got, ok, tt.want, tt.ok)
		}
	}
	if got := objectName(validate.ObjectRef{Path: "objects[1]"}); got != "" {
		t.Errorf("objectName of a nameless object = %q", got)
	}
	if got := objectName(validate.ObjectRef{Kind: "VirtualMachine", Name: "a", Path: "items[0]"}); got != "VirtualMachine/a (items[0])" {
		t.Errorf("objectName = %q", got)
	}
}
