package sources

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	"helm.sh/helm/v4/pkg/strvals"
)

// HelmOptions are helm template's own flags that change what a chart
// renders to.
type HelmOptions struct {
	// ValueFiles are values files, merged in order (helm's -f/--values).
	ValueFiles []string
	// Set are key=value strings applied after the files (helm's --set).
	Set []string
	// ReleaseName is .Release.Name; "release-name" when empty, as helm
	// template has it.
	ReleaseName string
	// Namespace is .Release.Namespace; "default" when empty.
	Namespace string
	// KubeVersion is .Capabilities.KubeVersion ("1.33" or "v1.33.1");
	// the SDK's default when empty.
	KubeVersion string
}

// RenderChart renders the chart at path (a directory or a packaged .tgz)
// in-process, as `helm template` would, and returns its YAML documents in
// template-name order. A chart that does not load or render is a
// *RenderError naming the file, and the template line when Helm gave one.
func RenderChart(chartPath string, opts HelmOptions) ([]Document, error) {
	ch, err := loader.Load(chartPath)
	if err != nil {
		return nil, &RenderError{File: chartPath, Msg: "loading the chart: " + err.Error()}
	}
	if missing := missingDependencies(ch); len(missing) > 0 {
		return nil, &RenderError{File: filepath.Join(chartPath, "Chart.yaml"),
			Msg: fmt.Sprintf("dependencies %s are not in charts/: run `helm dependency build` first", strings.Join(missing, ", "))}
	}
	vals, err := mergeValues(opts)
	if err != nil {
		return nil, err
	}
	caps := common.DefaultCapabilities.Copy()
	if opts.KubeVersion != "" {
		kv, err := common.ParseKubeVersion(opts.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("--kube-version %q: %w", opts.KubeVersion, err)
		}
		caps.KubeVersion = *kv
	}
	rel := common.ReleaseOptions{
		Name:      cmpOr(opts.ReleaseName, "release-name"),
		Namespace: cmpOr(opts.Namespace, "default"),
		Revision:  1,
		IsInstall: true,
	}
	rv, err := util.ToRenderValues(ch, vals, rel, caps)
	if err != nil {
		return nil, &RenderError{File: chartPath, Msg: "values: " + err.Error()}
	}
	out, err := engine.Render(ch, rv)
	if err != nil {
		return nil, renderError(chartPath, err)
	}
	templates := map[string][]byte{}
	collectTemplates(ch, templates)

	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var docs []Document
	for _, key := range keys {
		if !manifestName(key) {
			continue
		}
		name := sourceName(chartPath, key)
		m := newLineMap(templates[key], []byte(out[key]))
		for _, d := range splitDocuments([]byte(out[key])) {
			docs = append(docs, Document{Name: name, Data: d.data, locate: m.locator(name, d.line)})
		}
	}
	return docs, nil
}

// manifestName reports whether a rendered template is a manifest: helm
// template prints every rendered file but NOTES.txt and partials; vmhealth
// lints the YAML and JSON ones.
func manifestName(key string) bool {
	base := path.Base(key)
	if strings.HasPrefix(base, "_") {
		return false
	}
	switch strings.ToLower(path.Ext(base)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// sourceName turns the engine's "chart/templates/x.yaml" (the "# Source:"
// path) into a path under the chart directory, or archive.
func sourceName(chartPath, key string) string {
	_, rel, ok := strings.Cut(key, "/")
	if !ok {
		rel = key
	}
	return filepath.Join(chartPath, filepath.FromSlash(rel))
}

func collectTemplates(ch *chart.Chart, into map[string][]byte) {
	for _, t := range ch.Templates {
		into[path.Join(ch.ChartFullPath(), t.Name)] = t.Data
	}
	for _, dep := range ch.Dependencies() {
		collectTemplates(dep, into)
	}
}

func missingDependencies(ch *chart.Chart) []string {
	if ch.Metadata == nil {
		return nil
	}
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if d == nil {
			continue
		}
		if !have[d.Name] && (d.Alias == "" || !have[d.Alias]) {
			missing = append(missing, d.Name)
		}
	}
	return missing
}

func mergeValues(opts HelmOptions) (map[string]any, error) {
	base := map[string]any{}
	for _, f := range opts.ValueFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("values file: %w", err)
		}
		m, err := loader.LoadValues(bytes.NewReader(data))
		if err != nil {
			return nil, &RenderError{File: f, Msg: "values file: " + err.Error()}
		}
		base = loader.MergeMaps(base, m)
	}
	for _, s := range opts.Set {
		if err := strvals.ParseInto(s, base); err != nil {
			return nil, fmt.Errorf("--set %q: %w", s, err)
		}
	}
	return base, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// helmLocation finds "name.ext:line[:col]" in Helm's error text.
var helmLocation = regexp.MustCompile(`([^\s()<>"]+\.(?:yaml|yml|json|tpl|txt)):(\d+)(?::(\d+))?`)

// renderError turns the engine's error into a RenderError at the template
// file and line it names.
func renderError(chartPath string, err error) error {
	msg := err.Error()
	re := &RenderError{File: chartPath, Msg: lastMessage(msg)}
	if m := helmLocation.FindStringSubmatch(msg); m != nil {
		re.File = sourceName(chartPath, m[1])
		re.Line, _ = strconv.Atoi(m[2])
		if m[3] != "" {
			re.Column, _ = strconv.Atoi(m[3])
		}
	}
	return re
}

// lastMessage keeps the cause from Helm's "… error at (loc): cause" and
// its multi-line traces.
func lastMessage(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if _, after, ok := strings.Cut(last, "): "); ok {
		last = after
	}
	return last
}
