package validate

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/internal/yamldecode"
)

// Load reads the documents of data, read from the file called name, and
// decodes the KubeVirt objects in them with their positions. It returns
// the objects in input order and the findings of the input rules (YAML
// syntax, unknown fields, duplicate keys, wrong types, …), sorted; no other
// rule runs. Load runs on the calling goroutine.
//
// Check runs the rules on an object Load returned; Lint does both for many
// inputs at once.
func (l *Linter) Load(name string, data []byte) ([]*Object, []Finding, *Summary) {
	var (
		objs []*Object
		out  []Finding
	)
	col := l.newCollector(func(f Finding) { out = append(out, f) }, func(o *Object) { objs = append(objs, o) })
	err := l.forEachChunk(context.Background(), bytes.NewReader(data), func(c *chunk) {
		col.add(l.loadChunk(name, c))
	})
	col.endFile(name, 0, err)
	return objs, out, col.sum
}

// loadChunk parses one document and decodes the KubeVirt objects in it,
// with the findings of the input rules. It never panics: a panic becomes
// a finding, so one bad document cannot stop the run.
func (l *Linter) loadChunk(file string, c *chunk) (res docResult) {
	res.documents = 1
	defer func() {
		if r := recover(); r != nil {
			res.findings = append(res.findings, l.finding(InternalErrorRuleID, file, c.index, c.line, 1, ObjectRef{}, "",
				fmt.Sprintf("internal error while linting this document (please report it): %v", r)))
			if debugPanics {
				panic(r)
			}
		}
	}()
	if c.tooLarge {
		res.findings = append(res.findings, l.finding(DocumentTooLargeRuleID, file, c.index, c.line, 1, ObjectRef{}, "",
			fmt.Sprintf("document is %d bytes, over the limit of %d bytes; it was not linted", c.size, l.opts.MaxDocumentBytes)))
		return res
	}
	var root yaml.Node
	if err := parseDocument(c.data, &root); err != nil {
		line, col, msg := parseErrorPosition(err, c.data)
		// Documentation snippets carry AsciiDoc callouts ("port: 1500 <1>").
		// Report the first, then lint the snippet without them, so the
		// health checks in it are still checked.
		cleaned, cline, ccol, ok := stripCallouts(c.data)
		if !ok || parseDocument(cleaned, &root) != nil {
			res.findings = append(res.findings, l.finding(YAMLSyntaxRuleID, file, c.index, c.line+line-1, col, ObjectRef{}, "", msg))
			return res
		}
		res.findings = append(res.findings, l.finding(YAMLSyntaxRuleID, file, c.index, c.line+cline-1, ccol, ObjectRef{}, "",
			"YAML syntax error: AsciiDoc callout is not YAML (a documentation snippet?); the document was linted with its callouts removed"))
	}
	l.walkObjects(&res, file, c, resolve(&root), "", false, 0)
	return res
}

// walkObjects finds the KubeVirt objects in a document: the document itself,
// the items of a List, or the objects of an OpenShift Template.
func (l *Linter) walkObjects(res *docResult, file string, c *chunk, n *yaml.Node, path string, inTemplate bool, depth int) {
	if n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		res.count("(not an object)", 1)
		return
	}
	apiVersion, kind := scalarAt(n, "apiVersion"), scalarAt(n, "kind")
	switch {
	case kind == "Template" && (apiVersion == "template.openshift.io/v1" || apiVersion == "v1") && depth < 4:
		l.walkList(res, file, c, n, path, "objects", true, depth)
		return
	case strings.HasSuffix(kind, "List") && depth < 4 && lookup(n, "items") != nil:
		l.walkList(res, file, c, n, path, "items", inTemplate, depth)
		return
	case kind == "Service" && apiVersion == "v1":
		res.services = append(res.services, serviceFacts(n))
	}
	if apiVersion == "" && kind == "" {
		if shape, ok := matchFragment(n); ok {
			l.loadObject(res, file, c, wrapFragment(n, shape), fragmentKindInfo(shape), true,
				ObjectRef{Kind: FragmentKind, Path: path}, inTemplate)
			return
		}
	}
	info, known, served := kindFor(apiVersion, kind)
	if !known {
		if kind == "" {
			kind = "(no kind)"
		}
		res.count(kind, 1)
		return
	}
	l.loadObject(res, file, c, n, info, served, ObjectRef{APIVersion: apiVersion, Kind: kind, Path: path}, inTemplate)
}

func (l *Linter) walkList(res *docResult, file string, c *chunk, n *yaml.Node, path, key string, inTemplate bool, depth int) {
	items := resolve(lookup(n, key))
	if items == nil || items.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range items.Content {
		p := fmt.Sprintf("%s[%d]", key, i)
		if path != "" {
			p = path + "." + p
		}
		l.walkObjects(res, file, c, resolve(item), p, inTemplate, depth+1)
	}
}

// scalarAt returns the string value of key in mapping n, or "".
func scalarAt(n *yaml.Node, key string) string {
	v := resolve(lookup(n, key))
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// issueRules maps what the decoder finds to the rules that report it.
var issueRules = map[yamldecode.Kind]string{
	yamldecode.UnknownField:  UnknownFieldRuleID,
	yamldecode.DuplicateKey:  DuplicateKeyRuleID,
	yamldecode.InvalidType:   InvalidTypeRuleID,
	yamldecode.TemplateParam: TemplateParameterRuleID,
	yamldecode.TooComplex:    ObjectTooComplexRuleID,
	yamldecode.Ambiguous:     AmbiguousValueRuleID,
}

// loadObject decodes one KubeVirt object with info and adds it, and the
// findings of its decoding, to res. served is false for an apiVersion
// KubeVirt no longer serves.
func (l *Linter) loadObject(res *docResult, file string, c *chunk, n *yaml.Node, info kindInfo, served bool, ref ObjectRef, inTemplate bool) {
	typed := info.newTyped()
	dec := yamldecode.Decode(n, typed, yamldecode.Options{Template: inTemplate, SkipStatus: true})

	meta := info.meta(typed)
	obj := &Object{
		Ref:        ObjectRef{APIVersion: ref.APIVersion, Kind: ref.Kind, Namespace: meta.Namespace, Name: meta.Name, Path: ref.Path},
		File:       file,
		Document:   c.index,
		Node:       n,
		Typed:      typed,
		Meta:       meta,
		InTemplate: inTemplate,
		lineOffset: c.line - 1,
		stopped:    dec.Stopped,
		ignored:    ignoredRules(meta.Annotations),
	}
	var tmplMeta = meta
	obj.Spec, tmplMeta, obj.SpecPath = info.spec(typed)
	if tmplMeta != nil {
		obj.TemplateLabels = tmplMeta.Labels
	}
	res.objects++
	res.objs = append(res.objs, obj)
	if l.opts.OnObject != nil {
		res.refs = append(res.refs, docRef{file: file, document: c.index, ref: obj.Ref})
	}

	for _, is := range dec.Issues {
		if is.Kind == yamldecode.InvalidType || is.Kind == yamldecode.TemplateParam {
			obj.badPaths = append(obj.badPaths, is.Path)
		}
	}
	var found []Finding
	for _, is := range dec.Issues {
		line, col := 0, 0
		if is.Node != nil {
			line, col = is.Node.Line+obj.lineOffset, is.Node.Column
		}
		msg := is.Message
		if is.Kind == yamldecode.UnknownField {
			msg = unknownFieldMessage(is)
			if !strings.Contains(msg, "did you mean") {
				msg += wrongLevelHint(is.Path, obj.SpecPath)
			}
		}
		found = append(found, l.finding(issueRules[is.Kind], file, c.index, line, col, obj.Ref, is.Path, msg))
	}
	if !served {
		line, col := obj.Position("apiVersion")
		found = append(found, l.finding(APIVersionRuleID, file, c.index, line, col, obj.Ref, "apiVersion",
			fmt.Sprintf("apiVersion %s is not served by KubeVirt any more; use %s", ref.APIVersion, servedVersionFor(ref.Kind))))
	}
	obj.suppress(found)
	res.findings = append(res.findings, found...)
}

// servedVersionFor is the apiVersion to use for kind: the first its CRD
// serves.
func servedVersionFor(kind string) string {
	k := kubevirtkinds.ByKind(kind)
	if k == nil {
		k = kubevirtkinds.VirtualMachine
	}
	return k.APIVersion(k.Versions[0].Name)
}
