package lsp

import (
	"fmt"
	"strings"
	"unicode/utf8"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// codeActionFixAll is the kind of the action that applies every certain
// fix of the document at once, as `lint --fix` does.
const codeActionFixAll = protocol.CodeActionKind("source.fixAll.vmhealth")

// codeActions offers, for each finding in the requested range whose rule
// has a certain fix, a quickfix that applies exactly what `lint --fix`
// would for it; and, when the document has any, one action that applies
// them all. The edits come from validate's fixer, which checks that the
// finding goes and nothing new appears.
func (s *Server) codeActions(p *protocol.CodeActionParams) (any, *rpcError) {
	d := s.docs[p.TextDocument.URI]
	out := []protocol.CodeAction{}
	if d == nil || d.linter == nil {
		return out, nil
	}
	wantQuick, wantAll := wanted(p.Context.Only)
	data := []byte(d.text)
	if wantQuick {
		for _, f := range d.findings {
			diag := diagnostic(d.text, f)
			if !overlaps(diag.Range, p.Range) {
				continue
			}
			fixed, change, ok := d.linter.FixFinding(d.name(), data, f)
			if !ok {
				continue
			}
			kind, preferred := protocol.CodeActionKindQuickFix, true
			out = append(out, protocol.CodeAction{
				Title:       fmt.Sprintf("vmhealth: %s (%s)", change, f.RuleID),
				Kind:        &kind,
				Diagnostics: []protocol.Diagnostic{diag},
				IsPreferred: &preferred,
				Edit:        s.edit(d, string(fixed)),
			})
		}
	}
	if wantAll && len(d.findings) > 0 {
		res, err := d.linter.FixBytes(d.name(), data)
		if err == nil && len(res.Fixed) > 0 {
			kind := codeActionFixAll
			out = append(out, protocol.CodeAction{
				Title: fmt.Sprintf("vmhealth: apply all %d certain fixes", len(res.Fixed)),
				Kind:  &kind,
				Edit:  s.edit(d, string(res.Data)),
			})
		}
	}
	return out, nil
}

// wanted reads the client's only filter: which of the two kinds of action
// to compute.
func wanted(only []protocol.CodeActionKind) (quick, all bool) {
	if len(only) == 0 {
		return true, true
	}
	for _, k := range only {
		// A kind covers its sub-kinds: "source" asks for source.fixAll.vmhealth.
		covers := func(ours protocol.CodeActionKind) bool {
			return ours == k || strings.HasPrefix(string(ours), string(k)+".")
		}
		quick = quick || covers(protocol.CodeActionKindQuickFix)
		all = all || covers(codeActionFixAll)
	}
	return quick, all
}

// overlaps reports whether two ranges share a position (touching counts:
// a cursor at either end of a token is on it).
func overlaps(a, b protocol.Range) bool {
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

func before(a, b protocol.Position) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Character < b.Character
}

// edit is the workspace edit that turns d's text into fixed: one text edit
// over the bytes that differ, so the editor keeps its marks and undo
// history for the rest.
func (s *Server) edit(d *document, fixed string) *protocol.WorkspaceEdit {
	old := d.text
	pre := 0
	for pre < len(old) && pre < len(fixed) && old[pre] == fixed[pre] {
		pre++
	}
	// The prefix is the same in both texts, so one boundary serves both.
	pre = runeStart(old, pre)
	suf := 0
	for suf < len(old)-pre && suf < len(fixed)-pre && old[len(old)-1-suf] == fixed[len(fixed)-1-suf] {
		suf++
	}
	// Keep the suffix on a character boundary of both texts.
	for suf > 0 && (!utf8.RuneStart(old[len(old)-suf]) || !utf8.RuneStart(fixed[len(fixed)-suf])) {
		suf--
	}
	te := protocol.TextEdit{
		Range:   protocol.Range{Start: positionOf(old, pre), End: positionOf(old, len(old)-suf)},
		NewText: fixed[pre : len(fixed)-suf],
	}
	return &protocol.WorkspaceEdit{Changes: map[protocol.DocumentUri][]protocol.TextEdit{d.uri: {te}}}
}

// runeStart moves offset i of s back to the start of the character it is in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
