// Package lsp is vmhealth's language server: it speaks the Language Server
// Protocol over a stream (stdio for `vmhealth lsp`) and gives an editor
// lint's findings as diagnostics while the user types, the certain fixes of
// `lint --fix` as code actions, what `explain` computes as hovers on probes
// and watchdogs, and completion of their field names and values.
//
// Message shapes are the protocol types of github.com/tliron/glsp
// (protocol_3_16); the JSON-RPC framing is this package's own, so the
// server needs no other dependency. Requests are served one at a time, in
// the order they arrive, so a diagnostic always describes the latest text.
package lsp

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/vmhealth/vmhealth/validate"
)

// ErrExitWithoutShutdown is what Serve returns when the client sent exit
// without shutdown first, or closed the stream without exit: the protocol
// asks the server to exit with code 1 then.
var ErrExitWithoutShutdown = errors.New("exit without shutdown")

// LinterFunc returns the Linter for the document at path, built with the
// configuration file that lint would use for it, and whether that file
// ignores the path. path is empty for a document that is not a file.
type LinterFunc func(path string) (linter *validate.Linter, ignored bool, err error)

// Options configure a Server.
type Options struct {
	// Linter returns the Linter for a document; required.
	Linter LinterFunc
	// Version is reported to the client in serverInfo.
	Version string
	// Log receives a line for each request that failed inside the server
	// (a recovered panic included); nil discards them.
	Log io.Writer
}

// Server is one language server session. Build it with New and run it
// with Serve.
type Server struct {
	opts        Options
	out         *writer
	docs        map[string]*document
	initialized bool
	shutdown    bool
}

// document is an open text document, as the client last sent it.
type document struct {
	uri      string
	path     string
	language string
	version  int32
	text     string
	// findings are the findings of text, as last published.
	findings []validate.Finding
	linter   *validate.Linter
}

// New checks opts and returns a Server.
func New(opts Options) (*Server, error) {
	if opts.Linter == nil {
		return nil, errors.New("lsp: Options.Linter is required")
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	return &Server{opts: opts, docs: map[string]*document{}}, nil
}

// Serve reads requests from in and writes answers and notifications to
// out until the client sends exit. It returns nil after shutdown then
// exit, ErrExitWithoutShutdown after exit alone or when in ends first, and
// the error of a stream that cannot be read or written.
func (s *Server) Serve(in io.Reader, out io.Writer) error {
	s.out = &writer{w: out}
	r := bufio.NewReader(in)
	for {
		body, err := readMessage(r)
		if errors.Is(err, io.EOF) {
			return ErrExitWithoutShutdown
		}
		if err != nil {
			// The framing is lost: nothing after it can be trusted.
			return err
		}
		var req request
		if err := json.Unmarshal(body, &req); err != nil || req.Method == "" {
			if err := s.out.write(response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{Code: codeParseError, Message: "not a JSON-RPC request"}}); err != nil {
				return err
			}
			continue
		}
		if req.Method == "exit" {
			if s.shutdown {
				return nil
			}
			return ErrExitWithoutShutdown
		}
		result, rerr := s.handle(&req)
		if req.isNotification() {
			// A notification the server does not handle is ignored, as the
			// protocol asks; one it handles and fails at is logged.
			if rerr != nil && rerr.Code != codeMethodNotFound && rerr.Code != codeServerNotInitialized {
				fmt.Fprintf(s.opts.Log, "vmhealth lsp: %s: %s\n", req.Method, rerr.Message)
			}
			continue
		}
		resp := response{JSONRPC: "2.0", ID: req.ID, Error: rerr}
		if rerr == nil {
			if resp.Result, err = json.Marshal(result); err != nil {
				resp.Result, resp.Error = nil, &rpcError{Code: codeInternalError, Message: err.Error()}
			}
		}
		if err := s.out.write(resp); err != nil {
			return err
		}
	}
}

// handle answers one message; a panic becomes an internal error, so no
// input stops the server.
func (s *Server) handle(req *request) (result any, rerr *rpcError) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(s.opts.Log, "vmhealth lsp: panic in %s: %v\n%s", req.Method, p, debug.Stack())
			result, rerr = nil, &rpcError{Code: codeInternalError, Message: fmt.Sprintf("internal error in %s: %v", req.Method, p)}
		}
	}()
	switch {
	case s.shutdown:
		return nil, &rpcError{Code: codeInvalidRequest, Message: "the server is shut down; only exit is accepted"}
	case req.Method == "initialize":
		if s.initialized {
			return nil, &rpcError{Code: codeInvalidRequest, Message: "initialize was sent twice"}
		}
		s.initialized = true
		return s.initializeResult(), nil
	case !s.initialized:
		return nil, &rpcError{Code: codeServerNotInitialized, Message: "initialize must come first"}
	}
	switch req.Method {
	case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration", "textDocument/didSave":
		return nil, nil
	case "shutdown":
		s.shutdown = true
		return nil, nil
	case "textDocument/didOpen":
		var p protocol.DidOpenTextDocumentParams
		if err := decode(req.Params, &p); err != nil {
			return nil, err
		}
		return nil, s.open(p.TextDocument.URI, p.TextDocument.LanguageID, p.TextDocument.Version, p.TextDocument.Text)
	case "textDocument/didChange":
		var p protocol.DidChangeTextDocumentParams
		if err := decode(req.Params, &p); err != nil {
			return nil, err
		}
		return nil, s.change(&p)
	case "textDocument/didClose":
		var p protocol.DidCloseTextDocumentParams
		if err := decode(req.Params, &p); err != nil {
			return nil, err
		}
		delete(s.docs, p.TextDocument.URI)
		return nil, s.publish(p.TextDocument.URI, nil, nil)
	case "textDocument/codeAction":
		var p protocol.CodeActionParams
		if err := decode(req.Params, &p); err != nil {
			return nil, err
		}
		return s.codeActions(&p)
	case "textDocument/hover":
		var p protocol.HoverParams
		if err := decode(req.Params, &p); err != nil {
			return nil, err
		}
		return s.hover(&p)
	case "textDocument/completion":
		var p protocol.CompletionParams
		if err := decode(req.Params, &p); err != nil {
			return nil, err
		}
		return s.complete(&p)
	}
	if strings.HasPrefix(req.Method, "$/") {
		// Optional notifications and requests may be ignored.
		return nil, nil
	}
	return nil, &rpcError{Code: codeMethodNotFound, Message: "method not supported: " + req.Method}
}

// decode reads params into v, or says why it cannot.
func decode(params json.RawMessage, v any) *rpcError {
	if len(params) == 0 {
		return &rpcError{Code: codeInvalidParams, Message: "missing params"}
	}
	if err := json.Unmarshal(params, v); err != nil {
		return &rpcError{Code: codeInvalidParams, Message: "invalid params: " + err.Error()}
	}
	return nil
}

func (s *Server) initializeResult() *protocol.InitializeResult {
	yes := true
	full := protocol.TextDocumentSyncKindFull
	version := s.opts.Version
	return &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: protocol.TextDocumentSyncOptions{OpenClose: &yes, Change: &full},
			HoverProvider:    true,
			CodeActionProvider: protocol.CodeActionOptions{
				CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix, codeActionFixAll},
			},
			CompletionProvider: &protocol.CompletionOptions{TriggerCharacters: []string{":", " "}},
		},
		ServerInfo: &protocol.InitializeResultServerInfo{Name: "vmhealth", Version: &version},
	}
}

// open records a document and publishes its diagnostics.
func (s *Server) open(uri, language string, version int32, text string) *rpcError {
	d := &document{uri: uri, path: uriPath(uri), language: language, version: version, text: text}
	s.docs[uri] = d
	return s.lint(d)
}

// change takes the text of a full-sync change (the last one, if several)
// and publishes the diagnostics of the new text.
func (s *Server) change(p *protocol.DidChangeTextDocumentParams) *rpcError {
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		return &rpcError{Code: codeInvalidParams, Message: "didChange of a document that is not open: " + p.TextDocument.URI}
	}
	for _, c := range p.ContentChanges {
		switch c := c.(type) {
		case protocol.TextDocumentContentChangeEventWhole:
			d.text = c.Text
		case protocol.TextDocumentContentChangeEvent:
			// The server asked for full sync; a client that sends ranges
			// anyway gets them applied.
			d.text = applyChange(d.text, c)
		}
	}
	d.version = p.TextDocument.Version
	return s.lint(d)
}

// uriPath returns the file path of a file: URI, or "" for any other.
func uriPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	return filepath.FromSlash(u.Path)
}
