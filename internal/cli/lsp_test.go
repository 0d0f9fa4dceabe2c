package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmhealth/vmhealth/internal/lsp/lsptest"
)

// lspBroken is internal/lsp's broken manifest: a typo (periodSecond) and a
// watchdog action in the wrong case, and a watchdog the guest does not set
// up (an info finding that .vmhealth.yaml turns off below).
func lspBroken(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "lsp", "testdata", "broken.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// vmhealthExe is the vmhealth command that TestMain puts on PATH: this
// test binary, running Main in a process of its own.
func vmhealthExe(t *testing.T) string {
	t.Helper()
	exe, err := exec.LookPath("vmhealth")
	if err != nil {
		t.Fatalf("vmhealth is not on PATH (TestMain puts it there): %v", err)
	}
	return exe
}

// startLsp runs `vmhealth lsp` in dir and returns a client of it.
func startLsp(t *testing.T, dir string) (*lsptest.Client, *exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(vmhealthExe(t), "lsp")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return lsptest.New(out, in), cmd, &stderr
}

func fileURI(path string) string { return "file://" + filepath.ToSlash(path) }

// codes returns the diagnostic codes of a publishDiagnostics message.
func codes(t *testing.T, m lsptest.Message) []string {
	t.Helper()
	var p struct {
		Diagnostics []struct {
			Code string `json:"code"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(m.Params, &p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range p.Diagnostics {
		out = append(out, d.Code)
	}
	slices.Sort(out)
	return out
}

// TestLspBinary drives the real `vmhealth lsp` process over its stdin and
// stdout: each document is linted with the .vmhealth.yaml of its own
// directory, not the server's; shutdown then exit ends it with status 0.
func TestLspBinary(t *testing.T) {
	root := t.TempDir()
	withConfig, without, broken := filepath.Join(root, "team"), filepath.Join(root, "other"), filepath.Join(root, "broken")
	for _, d := range []string{withConfig, without, broken} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "vm.yaml"), lspBroken(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(withConfig, ".vmhealth.yaml"), []byte("rules:\n  watchdog-guest-setup:\n    enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, ".vmhealth.yaml"), []byte("rules:\n  no-such-rule:\n    enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, cmd, stderr := startLsp(t, root)
	if m, err := c.Call("initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}}, nil); err != nil || m.Error != nil {
		t.Fatalf("initialize: %+v %v\n%s", m, err, stderr)
	}
	if err := c.Notify("initialized", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir  string
		want []string
	}{
		{withConfig, []string{"unknown-field", "watchdog-action"}},
		{without, []string{"unknown-field", "watchdog-action", "watchdog-guest-setup"}},
		// A configuration file that cannot be used says so, once.
		{broken, []string{"config"}},
	} {
		path := filepath.Join(tc.dir, "vm.yaml")
		if err := c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
			"uri": fileURI(path), "languageId": "yaml", "version": 1, "text": string(lspBroken(t))}}); err != nil {
			t.Fatal(err)
		}
		m, err := c.WaitNotification("textDocument/publishDiagnostics")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if got := codes(t, m); !slices.Equal(got, tc.want) {
			t.Errorf("%s: codes %v, want %v", path, got, tc.want)
		}
	}
	if m, err := c.Call("shutdown", nil, nil); err != nil || m.Error != nil {
		t.Fatalf("shutdown: %+v %v", m, err)
	}
	if err := c.Notify("exit", nil); err != nil {
		t.Fatal(err)
	}
	if err := waitTimeout(cmd, 30*time.Second); err != nil {
		t.Fatalf("vmhealth lsp after shutdown and exit: %v\n%s", err, stderr)
	}

	// exit without shutdown: status 1, as the protocol asks.
	c, cmd, stderr = startLsp(t, root)
	if err := c.Notify("exit", nil); err != nil {
		t.Fatal(err)
	}
	var ee *exec.ExitError
	if err := waitTimeout(cmd, 30*time.Second); !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit without shutdown: %v\n%s", err, stderr)
	}
}

// waitTimeout waits for cmd, killing it after d.
func waitTimeout(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		_ = cmd.Process.Kill()
		return errors.New("did not exit in " + d.String())
	}
}

// nvimInit is the whole Neovim configuration of TestLspNeovim: Neovim
// 0.7's own LSP client (vim.lsp.start_client; vim.lsp.start came in 0.8)
// starts vmhealth lsp on the file, waits for its diagnostics, asks for a
// hover and the code actions at the typo, applies the quickfix, waits for
// the diagnostics of the changed text, and writes what it got as JSON.
const nvimInit = `
local result = {}
local ok, err = pcall(function()
  local file = os.getenv('VMHEALTH_NVIM_FILE')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = 'vmhealth',
    cmd = { os.getenv('VMHEALTH_NVIM_CMD'), 'lsp' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
  })
  result.client = id
  vim.lsp.buf_attach_client(bufnr, id)
  result.waited = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, code = d.code, source = d.source, message = d.message,
    })
  end
  local uri = vim.uri_from_bufnr(bufnr)
  local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover',
    { textDocument = { uri = uri }, position = { line = 18, character = 8 } }, 10000)
  result.hover = hover and hover[id] and hover[id].result and hover[id].result.contents.value
  local actions = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = { start = { line = 23, character = 10 }, ['end'] = { line = 23, character = 10 } },
    context = { diagnostics = {} },
  }, 10000)
  result.actions = {}
  local quickfix
  for _, a in ipairs((actions and actions[id] and actions[id].result) or {}) do
    table.insert(result.actions, a.title)
    if a.kind == 'quickfix' then quickfix = a end
  end
  -- Neovim applies the quickfix's edit to the buffer and sends the change;
  -- the fixed finding's diagnostic goes.
  if quickfix then
    local before = #vim.diagnostic.get(bufnr)
    vim.lsp.util.apply_workspace_edit(quickfix.edit, 'utf-16')
    result.fixed_line = vim.api.nvim_buf_get_lines(bufnr, 23, 24, false)[1]
    result.cleared = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) == before - 1 end, 20)
    result.after = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do table.insert(result.after, d.code) end
  end
end)
result.error = (not ok) and tostring(err) or nil
local f = io.open(os.getenv('VMHEALTH_NVIM_OUT'), 'w')
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd('qa!')
`

// TestLspNeovim opens the broken manifest in a real editor, Neovim from
// Debian's package, headless, with its built-in LSP client, and checks the
// diagnostics, the hover and the code actions it got from vmhealth lsp.
// hack/neovim.sh (run by make test) installs Neovim; the test runs it
// itself when nvim is missing, and skips only when that fails too.
func TestLspNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		out, ierr := exec.Command("bash", filepath.Join("..", "..", "hack", "neovim.sh")).CombinedOutput()
		if nvim, err = exec.LookPath("nvim"); err != nil {
			t.Skipf("SKIPPED: no nvim, and hack/neovim.sh could not install it (%v):\n%s", ierr, out)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "vm.yaml")
	if err := os.WriteFile(file, lspBroken(t), 0o644); err != nil {
		t.Fatal(err)
	}
	initLua := filepath.Join(dir, "init.lua")
	if err := os.WriteFile(initLua, []byte(nvimInit), 0o644); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(dir, "result.json")
	cmd := exec.Command(nvim, "--headless", "-i", "NONE", "-u", initLua)
	cmd.Dir = dir
	// A home of its own: Neovim writes its LSP log and state there.
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+dir, "XDG_CACHE_HOME="+dir, "XDG_DATA_HOME="+dir,
		"VMHEALTH_NVIM_FILE="+file, "VMHEALTH_NVIM_CMD="+vmhealthExe(t), "VMHEALTH_NVIM_OUT="+outFile)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := waitTimeout(cmd, 90*time.Second); err != nil {
		t.Fatalf("nvim: %v\n%s", err, output.String())
	}
	raw, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatalf("nvim wrote no result: %v\n%s", err, output.String())
	}
	var res struct {
		Error       string
		Waited      bool
		Diagnostics []struct {
			Lnum     int    `json:"lnum"`
			Col      int    `json:"col"`
			EndLnum  int    `json:"end_lnum"`
			EndCol   int    `json:"end_col"`
			Severity int    `json:"severity"`
			Code     string `json:"code"`
			Source   string `json:"source"`
			Message  string `json:"message"`
		}
		Hover     string
		Actions   []string
		FixedLine string   `json:"fixed_line"`
		Cleared   bool     `json:"cleared"`
		After     []string `json:"after"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	if res.Error != "" || !res.Waited {
		t.Fatalf("in nvim: error %q, diagnostics arrived: %v\n%s", res.Error, res.Waited, raw)
	}
	type diag struct {
		code                          string
		lnum, col, endLnum, endCol, s int
	}
	var got []diag
	for _, d := range res.Diagnostics {
		if d.Source != "vmhealth" || d.Message == "" {
			t.Errorf("diagnostic without source or message: %+v", d)
		}
		got = append(got, diag{d.Code, d.Lnum, d.Col, d.EndLnum, d.EndCol, d.Severity})
	}
	slices.SortFunc(got, func(a, b diag) int { return strings.Compare(a.code, b.code) })
	// As Neovim holds them: 0-based lines, byte columns (ASCII here).
	want := []diag{
		{"unknown-field", 23, 8, 23, 20, 1},
		{"watchdog-action", 17, 14, 17, 20, 1},
		{"watchdog-guest-setup", 14, 10, 14, 18, 3},
	}
	if !slices.Equal(got, want) {
		t.Errorf("diagnostics in nvim:\n got %+v\nwant %+v", got, want)
	}
	if !strings.Contains(res.Hover, "Ready at the soonest: 70 s") {
		t.Errorf("hover in nvim: %q", res.Hover)
	}
	if !slices.ContainsFunc(res.Actions, func(s string) bool { return strings.Contains(s, "renamed periodSecond to periodSeconds") }) {
		t.Errorf("code actions in nvim: %q", res.Actions)
	}
	// The quickfix, applied by Neovim itself, and the diagnostics of the
	// text it sent back.
	slices.Sort(res.After)
	if res.FixedLine != "        periodSeconds: 5" || !res.Cleared || !slices.Equal(res.After, []string{"watchdog-action", "watchdog-guest-setup"}) {
		t.Errorf("after Neovim applied the quickfix: line %q, cleared %v, diagnostics %v", res.FixedLine, res.Cleared, res.After)
	}
	t.Logf("nvim got: %s", raw)
}

func TestNewCmdLsp(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("failOn: warning\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("rules:\n  no-such-rule:\n    enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, wantErr string
		args          []string
		wantConfig    string
		noConfig      bool
	}{
		{name: "defaults"},
		{name: "one file for all", args: []string{"--config", good}, wantConfig: good},
		{name: "none", args: []string{"--no-config"}, noConfig: true},
		{name: "both", args: []string{"--config", good, "--no-config"}, wantErr: "none of the others can be"},
		{name: "a wrong file", args: []string{"--config", bad}, wantErr: "no-such-rule"},
		{name: "arguments", args: []string{"vm.yaml"}, wantErr: "unknown command"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _, _ := testFactory(t)
			var got *LspOptions
			cmd := NewCmdLsp(f, func(o *LspOptions) error { got = o; return nil })
			if !parseOnly(t, f, cmd, tt.args, tt.wantErr, func() bool { return got != nil }) {
				return
			}
			if got == nil || got.ConfigPath != tt.wantConfig || got.NoConfig != tt.noConfig || got.IO == nil {
				t.Errorf("options %+v", got)
			}
			if tt.wantConfig != "" && (got.Config == nil || got.Config.FailOn != "warning") {
				t.Errorf("the --config file was not read: %+v", got.Config)
			}
		})
	}
}
