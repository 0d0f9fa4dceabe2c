package lsp

import (
	"fmt"
	"path/filepath"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/render"
	"github.com/vmhealth/vmhealth/validate"
)

// source names vmhealth as the origin of its diagnostics.
const source = "vmhealth"

// configCode is the diagnostic code of a configuration file that cannot
// be read; the document's own findings then wait for it to be fixed.
const configCode = "config"

// lintable reports whether d is a YAML or JSON document that holds a
// KubeVirt object: anything else (a Go file, a Compose file, a Deployment)
// gets no diagnostics, not even for YAML syntax, which is not ours to
// check there. A Helm or Go template ({{ }}) is not linted either: its
// objects exist only once rendered, and the raw text would be reported
// for what the template engine replaces (`name: {{ .Values.name }}` read
// as a mapping).
func lintable(d *document) bool {
	if strings.Contains(d.text, "{{") {
		return false
	}
	switch strings.ToLower(d.language) {
	case "yaml", "json", "jsonc":
	default:
		switch strings.ToLower(filepath.Ext(d.path)) {
		case ".yaml", ".yml", ".json":
		default:
			return false
		}
	}
	for _, k := range kubevirtkinds.All {
		// Every apiVersion of a KubeVirt kind names its group.
		if strings.Contains(d.text, k.Group+"/") {
			return true
		}
	}
	return false
}

// lint lints d's text and publishes its diagnostics.
func (s *Server) lint(d *document) *rpcError {
	d.findings, d.linter = nil, nil
	if !lintable(d) {
		return s.publish(d.uri, &d.version, []protocol.Diagnostic{})
	}
	linter, ignored, err := s.opts.Linter(d.path)
	if err != nil {
		sev := protocol.DiagnosticSeverityError
		src := source
		msg := fmt.Sprintf("the configuration file cannot be used, so this file is not linted: %v", err)
		return s.publish(d.uri, &d.version, []protocol.Diagnostic{{Severity: &sev, Source: &src, Code: &protocol.IntegerOrString{Value: configCode}, Message: msg}})
	}
	if ignored {
		return s.publish(d.uri, &d.version, []protocol.Diagnostic{})
	}
	d.linter = linter
	findings, _ := linter.LintBytes(d.name(), []byte(d.text))
	diags := []protocol.Diagnostic{}
	for _, f := range findings {
		if f.Suppressed != nil {
			continue
		}
		d.findings = append(d.findings, f)
		diags = append(diags, diagnostic(d.text, f))
	}
	return s.publish(d.uri, &d.version, diags)
}

// name is the file name findings carry: the path, or the URI of a
// document that is not a file.
func (d *document) name() string {
	if d.path != "" {
		return d.path
	}
	return d.uri
}

// publish sends textDocument/publishDiagnostics.
func (s *Server) publish(uri string, version *int32, diags []protocol.Diagnostic) *rpcError {
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	p := protocol.PublishDiagnosticsParams{URI: uri, Diagnostics: diags}
	if version != nil {
		v := uint32(max(*version, 0))
		p.Version = &v
	}
	if err := s.out.write(notification{JSONRPC: "2.0", Method: "textDocument/publishDiagnostics", Params: p}); err != nil {
		return &rpcError{Code: codeInternalError, Message: err.Error()}
	}
	return nil
}

// diagnostic turns a finding into a diagnostic over the token it points at.
func diagnostic(text string, f validate.Finding) protocol.Diagnostic {
	src := source
	href := render.RulesDocURL + "#" + f.RuleID
	msg := f.Message
	if f.Remediation != "" {
		msg += "\nfix: " + f.Remediation
	}
	sev := severity(f.Severity)
	return protocol.Diagnostic{
		Range:           findingRange(text, f),
		Severity:        &sev,
		Code:            &protocol.IntegerOrString{Value: f.RuleID},
		CodeDescription: &protocol.CodeDescription{HRef: href},
		Source:          &src,
		Message:         msg,
	}
}

func severity(s validate.Severity) protocol.DiagnosticSeverity {
	switch s {
	case validate.SeverityError:
		return protocol.DiagnosticSeverityError
	case validate.SeverityWarning:
		return protocol.DiagnosticSeverityWarning
	}
	return protocol.DiagnosticSeverityInformation
}

// findingRange is the range of the token at the finding's line and column;
// a finding without a position covers the start of the document.
func findingRange(text string, f validate.Finding) protocol.Range {
	if f.Line < 1 {
		return protocol.Range{}
	}
	line, start, ok := lineAt(text, f.Line-1)
	if !ok {
		end := positionOf(text, len(text))
		return protocol.Range{Start: end, End: end}
	}
	from := runeByte(line, max(f.Column-1, 0))
	to := tokenEnd(line, from)
	return protocol.Range{Start: positionOf(text, start+from), End: positionOf(text, start+to)}
}
