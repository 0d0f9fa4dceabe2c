package gen

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzMergeInto feeds arbitrary manifests to InspectFile and MergeInto: no
// input may panic, and a merge that succeeds must give a file that merges
// again to the same bytes.
func FuzzMergeInto(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "into", "*.yaml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(vmYAML("a", "")))
	f.Add([]byte("kind: VirtualMachine\nspec: {template: {spec: {}}}\n"))
	f.Add([]byte("kind: VirtualMachineInstance\nmetadata: {name: x}\nspec:\n  domain: &d {devices: {}}\n  x: *d\n"))
	s, err := Build(Request{
		Readiness: &ProbeRequest{Spec: "tcp:1500", InitialDelaySeconds: i32(30)},
		Watchdog:  &WatchdogRequest{Action: "reset"},
		CloudInit: true,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := IntoOptions{File: "fuzz.yaml"}
		if _, err := InspectFile(data, opts); err != nil {
			return
		}
		res, err := s.MergeInto(data, opts)
		if err != nil {
			return
		}
		again, err := s.MergeInto(res.Data, opts)
		if err != nil {
			t.Fatalf("merging the merged file failed: %v\n%s", err, res.Data)
		}
		if string(again.Data) != string(res.Data) {
			t.Fatalf("a second merge changed the file:\n%s\nthen\n%s", res.Data, again.Data)
		}
	})
}
