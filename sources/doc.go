// Package sources turns the places where KubeVirt manifests really live,
// Helm charts and kustomize overlays, into the YAML documents that vmhealth
// lints, each with a way back from a position in the rendered document to
// the file (and, where it can be found faithfully, the line) it came from.
//
// Rendering is in-process (the Helm SDK and kustomize's krusty), with no
// network: a chart's values come from local files and --set strings, and a
// kustomization's remote bases are refused.
package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Kind is what a path on the command line holds.
type Kind int

const (
	// Plain is a file or a directory of manifests, linted as they are.
	Plain Kind = iota
	// HelmChart is a chart directory (with Chart.yaml) or a packaged chart
	// (.tgz).
	HelmChart
	// Kustomization is a directory with a kustomization.yaml.
	Kustomization
)

// String names the kind as the documentation does.
func (k Kind) String() string {
	switch k {
	case HelmChart:
		return "helm chart"
	case Kustomization:
		return "kustomization"
	}
	return "plain"
}

// kustomizationNames are the file names kustomize itself accepts, in its
// order of preference.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// Detect says what path holds. It only looks at names: a directory with a
// Chart.yaml is a chart, one with a kustomization file an overlay (a
// directory with both is taken for a chart, as Helm would), and a file
// ending in .tgz is a packaged chart.
func Detect(path string) Kind {
	info, err := os.Stat(path)
	if err != nil {
		return Plain
	}
	if !info.IsDir() {
		if strings.HasSuffix(path, ".tgz") || strings.HasSuffix(path, ".tar.gz") {
			return HelmChart
		}
		return Plain
	}
	if isFile(filepath.Join(path, "Chart.yaml")) {
		return HelmChart
	}
	if kustomizationFile(path) != "" {
		return Kustomization
	}
	return Plain
}

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// kustomizationFile returns the kustomization file in dir, or "".
func kustomizationFile(dir string) string {
	for _, n := range kustomizationNames {
		if p := filepath.Join(dir, n); isFile(p) {
			return p
		}
	}
	return ""
}

// Position is where a finding is shown.
type Position struct {
	// File is the template, resource or patch file.
	File string
	// Line and Column are 1-based; 0 when not known.
	Line, Column int
	// Rendered is true when Line and Column count in the rendered document
	// (helm template's or kustomize build's output for File), because the
	// line could not be found faithfully in File itself.
	Rendered bool
}

// Document is one rendered YAML document.
type Document struct {
	// Name is the file the document came from: the chart's template (its
	// "# Source:" path, under the chart's directory) or the kustomize
	// resource file.
	Name string
	// Data is the rendered YAML of this one document.
	Data []byte
	// locate maps a position in Data (and the finding's field path) back
	// to the source.
	locate func(line, col int, field string) Position
}

// Locate maps a position in Data, and the field path a finding names, to
// where the finding should be shown.
func (d *Document) Locate(line, col int, field string) Position {
	if d.locate == nil || line == 0 {
		return Position{File: d.Name, Line: line, Column: col, Rendered: line != 0}
	}
	return d.locate(line, col, field)
}

// RenderError is a chart or overlay that could not be rendered, with the
// file (and line, when the renderer said) at fault.
type RenderError struct {
	File         string
	Line, Column int
	Msg          string
}

// Error renders file:line:col: message.
func (e *RenderError) Error() string { return e.Location() + ": " + e.Msg }

// Location renders file, file:line or file:line:col, as much as is known.
func (e *RenderError) Location() string {
	switch {
	case e.Line == 0:
		return e.File
	case e.Column == 0:
		return fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
}
