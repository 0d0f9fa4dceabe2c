package lsp

import (
	"slices"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"
	k8sv1 "k8s.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// Completion works on the lines as typed, not on a parse: a key being
// typed ("    peri") is not valid YAML yet. The cursor's path comes from
// the indentation of the lines above it, which is how block YAML nests.
// Flow mappings and JSON get no completion.

// blockLine is one line of block YAML as completion reads it.
type blockLine struct {
	// dash is the column of a list item's "-", or -1.
	dash int
	// col is the column of the line's first key or scalar.
	col int
	// key is the key the line starts with, if any, and rest what follows
	// its colon.
	key, rest string
	hasKey    bool
}

// parseBlockLine reads line; ok is false for blank and comment lines.
func parseBlockLine(line string) (bl blockLine, ok bool) {
	trimmed := strings.TrimLeft(line, " ")
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return bl, false
	}
	bl.dash, bl.col = -1, len(line)-len(trimmed)
	if trimmed == "-" || strings.HasPrefix(trimmed, "- ") {
		bl.dash = bl.col
		after := strings.TrimLeft(trimmed[1:], " ")
		bl.col += len(trimmed) - len(after)
		trimmed = after
	}
	if i := keyEnd(trimmed); i >= 0 {
		bl.key, bl.rest, bl.hasKey = strings.Trim(trimmed[:i], `"'`), strings.TrimSpace(trimmed[i+1:]), true
	}
	return bl, true
}

// keyEnd returns the index of the colon ending the key that starts s, or -1.
func keyEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ':' && (i+1 == len(s) || s[i+1] == ' '):
			return i
		case s[i] == ' ' && i+1 < len(s) && s[i+1] == '#', s[i] == '{', s[i] == '[':
			return -1
		}
	}
	return -1
}

// seg is one step of a path read from indentation, with the line it was
// read from (for a list item, the line of its "-").
type seg struct {
	name string
	line int
}

// blockPath returns the path of the mapping whose keys sit at column col
// of line n, from the lines above it: "spec.template.spec.readinessProbe",
// list items as [0]. dash is the column of the "-" when line n starts a
// list item, else -1. It stops at the document's start ("---").
func blockPath(lines []string, n, col, dash int) []seg {
	var rev []seg
	// seq is the column of the "-" of the list the path is in, when
	// looking for the key that holds that list; -1 otherwise.
	seq := -1
	if dash >= 0 {
		rev, seq = append(rev, seg{"[0]", n}), dash
	}
	want := col
	for i := n - 1; i >= 0 && (want > 0 || seq >= 0); i-- {
		if strings.HasPrefix(lines[i], "---") || strings.HasPrefix(lines[i], "...") {
			break
		}
		bl, ok := parseBlockLine(lines[i])
		if !ok {
			continue
		}
		var owner bool
		if seq >= 0 {
			// The key holding a list sits left of its "-", or at the same
			// column (kubectl's compact lists).
			owner = bl.col < seq || bl.col == seq && bl.dash < 0
		} else {
			owner = bl.col < want
			if !owner && bl.col == want && bl.dash >= 0 {
				// The first key of the list item we are in.
				rev, seq = append(rev, seg{"[0]", i}), bl.dash
				continue
			}
		}
		if !owner {
			continue
		}
		if !bl.hasKey {
			return nil
		}
		rev = append(rev, seg{bl.key, i})
		if bl.dash >= 0 {
			rev, seq = append(rev, seg{"[0]", i}), bl.dash
		} else {
			seq, want = -1, bl.col
		}
	}
	slices.Reverse(rev)
	return rev
}

// names returns the names of segs.
func names(segs []seg) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.name
	}
	return out
}

// itemKind reads the apiVersion and kind of the list item whose "-" is on
// line from: an object in a List's items or a Template's objects.
func itemKind(lines []string, from int) (apiVersion, kind string) {
	first, ok := parseBlockLine(lines[from])
	if !ok || first.dash < 0 {
		return "", ""
	}
	for i := from; i < len(lines) && !strings.HasPrefix(lines[i], "---"); i++ {
		bl, ok := parseBlockLine(lines[i])
		if !ok || bl.col > first.col {
			continue
		}
		if i > from && (bl.col < first.col || bl.dash >= 0) {
			break
		}
		if bl.hasKey {
			switch bl.key {
			case "apiVersion":
				apiVersion = scalarText(bl.rest)
			case "kind":
				kind = scalarText(bl.rest)
			}
		}
	}
	return apiVersion, kind
}

// scalarText is a one-line scalar without its quotes and comment.
func scalarText(rest string) string {
	return strings.Trim(strings.TrimSpace(strings.SplitN(rest, " #", 2)[0]), `"'`)
}

// objectPath returns the apiVersion, kind and path relative to the object
// of a path from the document's root, seeing through a List's items and
// an OpenShift Template's objects.
func objectPath(lines []string, segs []seg, apiVersion, kind string) (string, string, []seg) {
	if len(segs) >= 2 && segs[1].name == "[0]" &&
		(segs[0].name == "items" && strings.HasSuffix(kind, "List") ||
			segs[0].name == "objects" && kind == "Template" && strings.HasPrefix(apiVersion, "template.openshift.io/")) {
		a, k := itemKind(lines, segs[1].line)
		return a, k, segs[2:]
	}
	return apiVersion, kind, segs
}

// kindOf reads the apiVersion and kind of the document holding line n:
// its top-level keys.
func kindOf(lines []string, n int) (apiVersion, kind string) {
	from, to := n, n
	for from > 0 && !strings.HasPrefix(lines[from], "---") {
		from--
	}
	for to < len(lines) && (to == n || !strings.HasPrefix(lines[to], "---")) {
		to++
	}
	for _, l := range lines[from:to] {
		bl, ok := parseBlockLine(l)
		if !ok || bl.col != 0 || bl.dash >= 0 || !bl.hasKey {
			continue
		}
		v := scalarText(bl.rest)
		switch bl.key {
		case "apiVersion":
			apiVersion = v
		case "kind":
			kind = v
		}
	}
	return apiVersion, kind
}

// joinPath writes segments as a field path.
func joinPath(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		if !strings.HasPrefix(s, "[") && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// enumValues are the values completion offers for a key, by the last two
// segments of its path: a probe's scheme and a watchdog's action.
func enumValues(segs []string) []string {
	n := len(segs)
	switch {
	case n >= 2 && segs[n-2] == "httpGet" && segs[n-1] == "scheme":
		return []string{string(k8sv1.URISchemeHTTP), string(k8sv1.URISchemeHTTPS)}
	case n >= 3 && segs[n-3] == "watchdog" && segs[n-1] == "action":
		return probespec.DocumentedWatchdogActions
	}
	return nil
}

// complete offers the field names of the mapping the cursor is in (a
// probe's, a watchdog's, any typed KubeVirt field's), or the values of an
// enumerated field after its colon.
func (s *Server) complete(p *protocol.CompletionParams) (any, *rpcError) {
	empty := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	d := s.docs[p.TextDocument.URI]
	if d == nil || !lintable(d) {
		return empty, nil
	}
	lines := strings.Split(d.text, "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	n := int(p.Position.Line)
	if n >= len(lines) {
		return empty, nil
	}
	typed := lines[n][:utf16Byte(lines[n], int(p.Position.Character))]
	apiVersion, kind := kindOf(lines, n)
	bl, ok := parseBlockLine(typed)
	if !ok {
		// An empty line: keys at the cursor's column.
		bl = blockLine{dash: -1, col: len(typed)}
		if strings.TrimSpace(typed) != "" {
			return empty, nil
		}
	}
	if bl.hasKey {
		segs := append(blockPath(lines, n, bl.col, bl.dash), seg{bl.key, n})
		path := names(segs)
		return items(enumValues(path), protocol.CompletionItemKindEnumMember, "vmhealth: value of "+joinPath(path)), nil
	}
	if strings.ContainsAny(typed[bl.col:], " :{[\"'") {
		return empty, nil
	}
	segs := blockPath(lines, n, bl.col, bl.dash)
	if segs == nil && bl.col > 0 {
		return empty, nil
	}
	apiVersion, kind, segs = objectPath(lines, segs, apiVersion, kind)
	path := joinPath(names(segs))
	have := siblingKeys(lines, n, bl.col, bl.dash >= 0)
	var fields []string
	for _, name := range validate.FieldNames(apiVersion, kind, path) {
		if !have[name] {
			fields = append(fields, name)
		}
	}
	return items(fields, protocol.CompletionItemKindField, "vmhealth: field of "+kind+" "+path), nil
}

// siblingKeys returns the keys the mapping at column col around line n
// already has (line n itself left out), so completion does not offer them
// again. inItem says that line n starts a list item, whose mapping starts
// there.
func siblingKeys(lines []string, n, col int, inItem bool) map[string]bool {
	have := map[string]bool{}
	if !inItem {
		for i := n - 1; i >= 0 && !strings.HasPrefix(lines[i], "---"); i-- {
			bl, ok := parseBlockLine(lines[i])
			if !ok || bl.col > col {
				continue
			}
			if bl.col < col {
				break
			}
			if bl.hasKey {
				have[bl.key] = true
			}
			if bl.dash >= 0 {
				// The first key of the list item the mapping is.
				break
			}
		}
	}
	for i := n + 1; i < len(lines) && !strings.HasPrefix(lines[i], "---"); i++ {
		bl, ok := parseBlockLine(lines[i])
		if !ok || bl.col > col {
			continue
		}
		if bl.col < col || bl.dash >= 0 {
			break
		}
		if bl.hasKey {
			have[bl.key] = true
		}
	}
	return have
}

// items builds a completion list.
func items(labels []string, kind protocol.CompletionItemKind, detail string) *protocol.CompletionList {
	out := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	for _, l := range labels {
		k, det := kind, detail
		out.Items = append(out.Items, protocol.CompletionItem{Label: l, Kind: &k, Detail: &det})
	}
	return out
}
