package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// BuildKustomization builds the kustomization in dir in-process, as
// `kustomize build dir` would, and returns one document a resource. Each
// document is named after the resource file it came from (kustomize's
// origin annotation), and a finding's field is looked up in the patches
// that touched the resource and then in that file, so that it points at
// the line that set it. Remote bases and resources are refused.
func BuildKustomization(dir string) ([]Document, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("kustomization %s: %w", dir, err)
	}
	scan := &kustScan{seen: map[string]bool{}}
	if err := scan.walk(abs, dir); err != nil {
		return nil, err
	}
	fs := originFS{FileSystem: filesys.MakeFsOnDisk(), root: kustomizationFile(abs)}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	m, err := krusty.MakeKustomizer(opts).Run(fs, abs)
	if err != nil {
		return nil, &RenderError{File: dir, Msg: "kustomize build: " + err.Error()}
	}
	var docs []Document
	for _, r := range m.Resources() {
		origin, _ := r.GetOrigin()
		name := dir
		if origin != nil && origin.Path != "" {
			name = filepath.Join(dir, filepath.FromSlash(origin.Path))
		} else if origin != nil && origin.ConfiguredIn != "" {
			name = filepath.Join(dir, filepath.FromSlash(origin.ConfiguredIn))
		}
		loc := &kustLocator{name: name, kind: r.GetKind(), built: r.GetName(), patches: scan.patches}
		if err := clearBuildAnnotations(r); err != nil {
			return nil, &RenderError{File: name, Msg: err.Error()}
		}
		data, err := r.AsYAML()
		if err != nil {
			return nil, &RenderError{File: name, Msg: err.Error()}
		}
		docs = append(docs, Document{Name: name, Data: data, locate: loc.locate})
	}
	return docs, nil
}

func clearBuildAnnotations(r *resource.Resource) error {
	ann := r.GetAnnotations()
	changed := false
	for _, k := range []string{"config.kubernetes.io/origin", "alpha.config.kubernetes.io/transformations"} {
		if _, ok := ann[k]; ok {
			delete(ann, k)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return r.SetAnnotations(ann)
}

// originFS turns on kustomize's origin annotations for the root
// kustomization only, without writing to it: its ReadFile adds
// buildMetadata: [originAnnotations] to that one file.
type originFS struct {
	filesys.FileSystem
	root string
}

func (f originFS) ReadFile(name string) ([]byte, error) {
	data, err := f.FileSystem.ReadFile(name)
	if err != nil || filepath.Clean(name) != f.root {
		return data, err
	}
	var k map[string]any
	if err := yaml.Unmarshal(data, &k); err != nil || k == nil {
		return data, nil // kustomize reports it
	}
	meta, _ := k["buildMetadata"].([]any)
	k["buildMetadata"] = append(meta, types.OriginAnnotations)
	return yaml.Marshal(k)
}

// kustScan walks a kustomization and the local ones it refers to, refusing
// remote ones and collecting the patch files.
type kustScan struct {
	seen    map[string]bool
	patches []string // patch files, in the order kustomize applies them (bases first)
}

// kustFile is the part of a kustomization that the scan reads.
type kustFile struct {
	Resources             []string `yaml:"resources"`
	Bases                 []string `yaml:"bases"`
	Components            []string `yaml:"components"`
	PatchesStrategicMerge []string `yaml:"patchesStrategicMerge"`
	Patches               []struct {
		Path string `yaml:"path"`
	} `yaml:"patches"`
}

func (s *kustScan) walk(abs, shown string) error {
	if s.seen[abs] {
		return nil
	}
	s.seen[abs] = true
	file := kustomizationFile(abs)
	if file == "" {
		return nil // a plain resource directory is kustomize's to judge
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Join(shown, filepath.Base(file)), err)
	}
	var k kustFile
	if err := yaml.Unmarshal(data, &k); err != nil {
		return &RenderError{File: filepath.Join(shown, filepath.Base(file)), Msg: "not a kustomization: " + err.Error()}
	}
	refs := append(append(append([]string{}, k.Resources...), k.Bases...), k.Components...)
	for _, ref := range refs {
		if remoteRef(ref) {
			return &RenderError{File: filepath.Join(shown, filepath.Base(file)),
				Msg: fmt.Sprintf("remote base %q refused: vmhealth builds kustomizations without the network; vendor it into the repository, or lint the output of `kustomize build` from standard input", ref)}
		}
		p := filepath.Join(abs, ref)
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			if err := s.walk(p, filepath.Join(shown, ref)); err != nil {
				return err
			}
		}
	}
	for _, p := range k.PatchesStrategicMerge {
		if !strings.Contains(p, "\n") {
			s.patches = append(s.patches, filepath.Join(shown, p))
		}
	}
	for _, p := range k.Patches {
		if p.Path != "" {
			s.patches = append(s.patches, filepath.Join(shown, p.Path))
		}
	}
	return nil
}

// remoteRef reports whether a kustomization entry names something to fetch
// (kustomize's URL forms: scheme://, git@host:, host/org/repo//path?ref=).
func remoteRef(ref string) bool {
	switch {
	case strings.Contains(ref, "://"), strings.HasPrefix(ref, "git@"),
		strings.Contains(ref, "?ref="), strings.Contains(ref, "?version="):
		return true
	}
	first, _, _ := strings.Cut(ref, "/")
	return strings.Contains(first, ".") && first != "." && first != ".." &&
		strings.Count(ref, "/") >= 2 && !exists(ref)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
