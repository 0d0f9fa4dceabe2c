package probespec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/internal/message"
)

// messages are the checks' Messages by name; TestMessagesWrittenOnlyHere
// makes sure every Message the package defines is listed.
var messages = map[string]*message.Message{
	"PausedLivenessMessage":      PausedLivenessMessage,
	"NoHandlerMessage":           NoHandlerMessage,
	"MultipleHandlersMessage":    MultipleHandlersMessage,
	"QuotedPortMessage":          QuotedPortMessage,
	"HostSetMessage":             HostSetMessage,
	"PeriodTimeoutMessage":       PeriodTimeoutMessage,
	"MultipleModelsMessage":      MultipleModelsMessage,
	"ModelArchMessage":           ModelArchMessage,
	"NeedsPodNetworkMessage":     NeedsPodNetworkMessage,
	"ForwardReasonMessage":       ForwardReasonMessage,
	"NotForwardedMessage":        NotForwardedMessage,
	"NamedPortUndeclaredMessage": NamedPortUndeclaredMessage,
}

// minCopiedWords is the length from which a message's literal words found
// elsewhere count as a copy; shorter runs (" is not", "; add ") occur in
// unrelated texts.
const minCopiedWords = 24

// quoted are words of a message that another file has for another
// reason, by file.
var quoted = map[string][]string{
	// KubeVirt's webhook says so too; the rule's description quotes it.
	"../validate/rule_probe_multiple_handlers.go": {"must have exactly one probe type set"},
}

// TestMessagesWrittenOnlyHere: the words of the checks' messages are
// written in probespec only. validate's rules, gen and the CLI use the
// Messages (or the errors and values the checks return) instead of
// writing the text again, so that lint, the admission policy, gen's
// refusals and library callers cannot come to say different things.
func TestMessagesWrittenOnlyHere(t *testing.T) {
	// Every package-level var made with message.Msg is in messages.
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	defined := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, v := range vs.Values {
					if isMsgCall(v) {
						defined++
						if messages[vs.Names[i].Name] == nil {
							t.Errorf("%s: %s is not in this test's messages", fset.Position(vs.Pos()), vs.Names[i].Name)
						}
					}
				}
			}
		}
	}
	if defined != len(messages) {
		t.Errorf("the package defines %d Messages, the test lists %d", defined, len(messages))
	}

	root := ".."
	sources := map[string]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "probespec") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sources[filepath.ToSlash(path)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) < 100 {
		t.Fatalf("only %d Go files found outside probespec", len(sources))
	}
	checked := 0
	for name, m := range messages {
		for _, words := range m.Literals() {
			if len(words) < minCopiedWords {
				continue
			}
			checked++
			for path, src := range sources {
				if strings.Contains(src, words) && !slices.Contains(quoted[path], words) {
					t.Errorf("the words %q of %s are written in %s too; use the Message, or the values the check returns", words, name, path)
				}
			}
		}
	}
	if checked < len(messages) {
		t.Errorf("only %d runs of words checked", checked)
	}
}

// isMsgCall reports whether e is a call of message.Msg.
func isMsgCall(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "message" && sel.Sel.Name == "Msg"
}
