package lsp

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	protocol "github.com/tliron/glsp/protocol_3_16"
	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/explain"
)

// keyAt is the mapping key under the cursor: its path from the document's
// root, as field paths are written (items[0].spec.template…), and the
// line where its document starts.
type keyAt struct {
	path    string
	node    *yaml.Node
	docLine int
}

// findKey returns the key on the cursor's line that starts at or before
// the cursor, the rightmost if several (a flow mapping); hovering on a
// value shows its key. Line and col are 1-based, col in characters.
func findKey(text string, line, col int) (keyAt, bool) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var best keyAt
	found := false
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			// The end, or a syntax error: what was read before it still
			// answers.
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		var walk func(n *yaml.Node, path string, depth int)
		walk = func(n *yaml.Node, path string, depth int) {
			if depth > 100 {
				return
			}
			switch n.Kind {
			case yaml.MappingNode:
				for i := 0; i+1 < len(n.Content); i += 2 {
					k, v := n.Content[i], n.Content[i+1]
					p := k.Value
					if path != "" {
						p = path + "." + k.Value
					}
					if k.Line == line && k.Column <= col && (!found || best.node.Line != line || k.Column >= best.node.Column) {
						best, found = keyAt{path: p, node: k, docLine: root.Line}, true
					}
					walk(v, p, depth+1)
				}
			case yaml.SequenceNode:
				for i, item := range n.Content {
					walk(item, path+"["+strconv.Itoa(i)+"]", depth+1)
				}
			}
		}
		walk(root, "", 0)
	}
	return best, found
}

// hover shows, on a key of a probe or of the watchdog, what explain
// computes for it: the values KubeVirt and the kubelet use, when the VM is
// Ready at the soonest, how long a hang goes unnoticed.
func (s *Server) hover(p *protocol.HoverParams) (any, *rpcError) {
	d := s.docs[p.TextDocument.URI]
	if d == nil || d.linter == nil {
		return nil, nil
	}
	lineText, _, ok := lineAt(d.text, int(p.Position.Line))
	if !ok {
		return nil, nil
	}
	col := utf8.RuneCountInString(lineText[:utf16Byte(lineText, int(p.Position.Character))]) + 1
	k, ok := findKey(d.text, int(p.Position.Line)+1, col)
	if !ok {
		return nil, nil
	}
	report := explain.File(d.name(), []byte(d.text), explain.Options{Linter: d.linter})
	var text string
	objLine := 0
	for _, o := range report.Objects {
		if o.Line < k.docLine || o.Line > k.node.Line || o.Line < objLine {
			continue
		}
		prefix := ""
		if o.Ref.Path != "" {
			prefix = o.Ref.Path + "."
		}
		for _, pr := range o.Probes {
			if under(k.path, prefix+pr.Field) {
				text, objLine = probeMarkdown(pr), o.Line
			}
		}
		if w := o.Watchdog; w != nil && under(k.path, prefix+w.Field) {
			text, objLine = watchdogMarkdown(w), o.Line
		}
	}
	if text == "" {
		return nil, nil
	}
	from := runeByte(lineText, k.node.Column-1)
	start := protocol.Position{Line: p.Position.Line, Character: uint32(utf16Len(lineText[:from]))}
	end := protocol.Position{Line: p.Position.Line, Character: uint32(utf16Len(lineText[:tokenEnd(lineText, from)]))}
	return &protocol.Hover{
		Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: text},
		Range:    &protocol.Range{Start: start, End: end},
	}, nil
}

// under reports whether path is field or inside it.
func under(path, field string) bool {
	return path == field || strings.HasPrefix(path, field+".") || strings.HasPrefix(path, field+"[")
}

// probeMarkdown words one probe's explanation for a hover.
func probeMarkdown(p *explain.Probe) string {
	var b strings.Builder
	name := p.Field[strings.LastIndexByte(p.Field, '.')+1:]
	fmt.Fprintf(&b, "**%s** (%s): %s\n\n", name, p.Handler, p.Action)
	b.WriteString("| | written | KubeVirt | kubelet |\n|---|--:|--:|--:|\n")
	rows := []struct {
		name string
		get  func(explain.Values) *int32
	}{
		{"initialDelaySeconds", func(v explain.Values) *int32 { return v.InitialDelaySeconds }},
		{"periodSeconds", func(v explain.Values) *int32 { return v.PeriodSeconds }},
		{"timeoutSeconds", func(v explain.Values) *int32 { return v.TimeoutSeconds }},
		{"successThreshold", func(v explain.Values) *int32 { return v.SuccessThreshold }},
		{"failureThreshold", func(v explain.Values) *int32 { return v.FailureThreshold }},
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.name, show(r.get(p.Written)), show(r.get(p.Defaulted)), show(r.get(p.Kubelet)))
	}
	t := p.Timing
	b.WriteString("\n")
	fmt.Fprintf(&b, "- first probe: %d s after the virt-launcher pod starts\n", t.FirstProbeSeconds)
	if p.Type == "readiness" {
		fmt.Fprintf(&b, "- Ready at the soonest: %d s after start\n", t.EarliestSuccessSeconds)
	}
	fmt.Fprintf(&b, "- a hung guest goes unnoticed for %s\n", span(t.HangDetectedMinSeconds, t.HangDetectedMaxSeconds))
	if t.EarliestKillSeconds > 0 {
		fmt.Fprintf(&b, "- a guest that never answers is killed %d s after start\n", t.EarliestKillSeconds)
	}
	if len(p.Consequences) > 0 {
		b.WriteString("\n")
		for _, c := range p.Consequences {
			fmt.Fprintf(&b, "%s\n\n", c)
		}
	}
	b.WriteString("_vmhealth explain_")
	return b.String()
}

// watchdogMarkdown words the watchdog's explanation for a hover.
func watchdogMarkdown(w *explain.Watchdog) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**watchdog** %q: model %s%s, action %s%s\n\n", w.Name, w.Model, defaulted(w.ModelWritten), w.Action, defaulted(w.ActionWritten))
	if w.Effect != "" {
		fmt.Fprintf(&b, "When the guest stops feeding it: %s\n\n", w.Effect)
	}
	if w.Guest != "" {
		fmt.Fprintf(&b, "In the guest: %s\n\n", w.Guest)
	}
	b.WriteString("_vmhealth explain_")
	return b.String()
}

func defaulted(written bool) string {
	if written {
		return ""
	}
	return " (KubeVirt's default)"
}

func show(v *int32) string {
	if v == nil {
		return "-"
	}
	return strconv.Itoa(int(*v))
}

func span(lo, hi int) string {
	if lo == hi {
		return fmt.Sprintf("%d s", lo)
	}
	return fmt.Sprintf("%d–%d s", lo, hi)
}
