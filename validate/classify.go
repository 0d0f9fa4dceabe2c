package validate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Files that are not manifests but look like them: a chart's templates
// and an overlay's patches. Each gets one finding (helm-template,
// strategic-merge-patch) instead of the noise or false errors the rules
// would report about it.

// helmAction is the start of a Helm template action: "{{" (not OpenShift's
// "${{PARAM}}") followed by what Helm's actions begin with: a field or
// variable, a trim marker, a comment, a string or a call of one of the
// control words and functions charts use.
var helmAction = regexp.MustCompile(`(?:^|[^$])(\{\{-?\s*(?:[.$"(-]|/\*|(?:include|if|else|end|range|with|define|template|block|toYaml|toJson|tpl|required|default|quote|printf|nindent|indent|lookup|fail|trim|lower|upper)\b))`)

// helmActionAt returns the 1-based line and column of the first Helm
// action in data outside comment lines.
func helmActionAt(data []byte) (line, col int, ok bool) {
	for i, l := range bytes.Split(data, []byte("\n")) {
		if !bytes.Contains(l, []byte("{{")) || bytes.HasPrefix(bytes.TrimLeft(l, " \t"), []byte("#")) {
			continue
		}
		if m := helmAction.FindSubmatchIndex(l); m != nil {
			return i + 1, m[2] + 1, true
		}
	}
	return 0, 0, false
}

// enabled reports whether rule id is in the registry and not disabled.
func (l *Linter) enabled(id string) bool {
	_, ok := l.all[id]
	return ok && !l.opts.Disabled[id]
}

// helmTemplate returns the helm-template finding of a document that is a
// Helm template.
func (l *Linter) helmTemplate(file string, c *chunk) (Finding, bool) {
	if c.tooLarge || !l.enabled(HelmTemplateRuleID) || !bytes.Contains(c.data, []byte("{{")) {
		return Finding{}, false
	}
	line, col, ok := helmActionAt(c.data)
	if !ok {
		return Finding{}, false
	}
	msg := "this is a Helm template, not a manifest: lint the chart directory, which vmhealth renders"
	if root := findUp(file, "Chart.yaml"); root != "" {
		msg = fmt.Sprintf("this is a Helm template of the chart in %s, not a manifest: lint the chart (vmhealth lint %s), which vmhealth renders", root, root)
	}
	return l.finding(HelmTemplateRuleID, file, c.index, c.line+line-1, col, ObjectRef{}, "", msg), true
}

// findUp returns the directory of file, or one of the three above it,
// that holds one of names, or "".
func findUp(file string, names ...string) string {
	if file == "" || file == StdinName {
		return ""
	}
	dir := filepath.Dir(file)
	for range 4 {
		for _, n := range names {
			if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
				return dir
			}
		}
		dir = filepath.Join(dir, "..")
	}
	return ""
}

// kustomizationNames are the file names kustomize reads in a directory.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// patchFinding returns the strategic-merge-patch finding of an object
// whose file a kustomization near it lists as a patch. The content alone
// cannot tell: a patch looks like a small VirtualMachine, and so do many
// hand-written snippets.
func (l *Linter) patchFinding(o *Object) (Finding, bool) {
	if !l.enabled(StrategicMergePatchRuleID) || o.Ref.Kind == FragmentKind {
		return Finding{}, false
	}
	k := l.patchedBy(o.File)
	if k == "" {
		return Finding{}, false
	}
	line, col := o.Position("kind")
	return l.finding(StrategicMergePatchRuleID, o.File, o.Document, line, col, o.Ref, "",
		fmt.Sprintf("%s lists this file as a patch: it holds only what the overlay changes; lint the overlay (vmhealth lint %s), which builds it onto its base", k, filepath.Dir(k))), true
}

// patchedBy returns the kustomization file, in file's directory or one of
// the three above it, that lists file as a patch, or "".
func (l *Linter) patchedBy(file string) string {
	if file == "" || file == StdinName {
		return ""
	}
	near := l.patchesNear(filepath.Dir(file))
	if near == nil {
		return ""
	}
	abs, err := l.abs(file)
	if err != nil {
		return ""
	}
	return near[abs]
}

// patchesNear returns the patch files that the kustomizations in dir and
// the three directories above it list, by absolute path, each with the
// kustomization that lists it; where several do, the nearest, and in one
// directory the first of kustomizationNames. nil when there are none.
func (l *Linter) patchesNear(dir string) map[string]string {
	if v, ok := l.patchDirs.Load(dir); ok {
		return v.(map[string]string)
	}
	var near map[string]string
	d := dir
	for range 4 {
		for _, n := range kustomizationNames {
			k := filepath.Join(d, n)
			for _, p := range l.patchesOf(k) {
				if _, seen := near[p]; !seen {
					if near == nil {
						near = map[string]string{}
					}
					near[p] = k
				}
			}
		}
		d = filepath.Join(d, "..")
	}
	l.patchDirs.Store(dir, near)
	return near
}

// patchesOf returns the absolute paths of the patch files the
// kustomization file k lists; nil when there is no such file or it cannot
// be read. Results are kept, as every file of a directory asks.
func (l *Linter) patchesOf(k string) []string {
	abs, err := l.abs(k)
	if err != nil {
		return nil
	}
	if v, ok := l.kustomizations.Load(abs); ok {
		return v.([]string)
	}
	var out []string
	if data, err := os.ReadFile(abs); err == nil && len(data) < 1<<20 {
		var kz struct {
			PatchesStrategicMerge []string `yaml:"patchesStrategicMerge"`
			Patches               []struct {
				Path string `yaml:"path"`
			} `yaml:"patches"`
			PatchesJSON6902 []struct {
				Path string `yaml:"path"`
			} `yaml:"patchesJson6902"`
		}
		if yaml.Unmarshal(data, &kz) == nil {
			paths := kz.PatchesStrategicMerge
			for _, p := range kz.Patches {
				paths = append(paths, p.Path)
			}
			for _, p := range kz.PatchesJSON6902 {
				paths = append(paths, p.Path)
			}
			for _, p := range paths {
				if p != "" && !strings.Contains(p, "\n") {
					out = append(out, filepath.Join(filepath.Dir(abs), p))
				}
			}
		}
	}
	l.kustomizations.Store(abs, out)
	return out
}

// abs is filepath.Abs with the working directory read once: Abs asks the
// kernel for it on every call, and patchedBy makes a dozen calls a file.
func (l *Linter) abs(p string) (string, error) {
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	l.cwdOnce.Do(func() { l.cwd, _ = os.Getwd() })
	if l.cwd == "" {
		return filepath.Abs(p)
	}
	return filepath.Join(l.cwd, p), nil
}
