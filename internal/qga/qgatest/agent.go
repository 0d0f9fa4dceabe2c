// Package qgatest runs a stand-in for qemu-guest-agent on a unix socket,
// speaking the agent's protocol, for tests of code that reaches a guest
// through internal/qga. Commands given to guest-exec really run, on the
// test's host, so exit status, output and time taken are real.
package qgatest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/vmhealth/vmhealth/internal/qga"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// Options choose how the agent misbehaves.
type Options struct {
	// DisableExec answers guest-exec with the error a RHEL agent gives
	// when guest-exec is not allowed.
	DisableExec bool
	// Stale writes leftovers of earlier answers (a whole one, one cut in
	// half, one with a wrong sync id) before each answer to
	// guest-sync-delimited, as a stream left by an earlier client holds.
	Stale bool
	// Silent makes the agent read commands and never answer, like a guest
	// whose agent is not running yet.
	Silent bool
}

// Agent is a running stand-in for qemu-guest-agent.
type Agent struct {
	// Path is the unix socket to dial.
	Path string
	opts Options
	ln   net.Listener

	mu       sync.Mutex
	commands []string
	procs    map[int]*proc
	nextPID  int
	conns    []net.Conn
}

type proc struct {
	cmd      *exec.Cmd
	out, err bytes.Buffer
	done     chan struct{}
}

// Start starts an agent on a new socket; the test's cleanup stops it and
// kills what it started.
func Start(t testing.TB, opts Options) *Agent {
	t.Helper()
	// Unix socket paths are short (108 bytes); t.TempDir can be longer.
	dir, err := os.MkdirTemp("", "qga")
	if err != nil {
		t.Fatal(err)
	}
	a := &Agent{Path: filepath.Join(dir, "qga.sock"), opts: opts, procs: map[int]*proc{}, nextPID: 1000}
	a.ln, err = net.Listen("unix", a.Path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := a.ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				a.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		a.ln.Close()
		a.mu.Lock()
		for _, c := range a.conns {
			c.Close()
		}
		for _, p := range a.procs {
			if p.cmd.Process != nil {
				_ = p.cmd.Process.Kill()
			}
		}
		a.mu.Unlock()
		wg.Wait()
		os.RemoveAll(dir)
	})
	return a
}

// Commands returns the names of the commands received so far.
func (a *Agent) Commands() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.commands...)
}

type request struct {
	Execute   string          `json:"execute"`
	Arguments json.RawMessage `json:"arguments"`
}

func (a *Agent) serve(c net.Conn) {
	defer c.Close()
	a.mu.Lock()
	a.conns = append(a.conns, c)
	a.mu.Unlock()
	dec := json.NewDecoder(bufio.NewReader(qga.DropDelimiters(c)))
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			return
		}
		a.mu.Lock()
		a.commands = append(a.commands, req.Execute)
		a.mu.Unlock()
		if a.opts.Silent {
			continue
		}
		if _, err := c.Write(a.answer(req)); err != nil {
			return
		}
	}
}

func ret(v any) []byte {
	b, _ := json.Marshal(map[string]any{"return": v})
	return append(b, '\n')
}

func fail(class, desc string) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"class": class, "desc": desc}})
	return append(b, '\n')
}

func (a *Agent) answer(req request) []byte {
	switch req.Execute {
	case "guest-sync-delimited":
		var args struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(req.Arguments, &args); err != nil {
			return fail("GenericError", "Invalid parameter 'id'")
		}
		var b []byte
		if a.opts.Stale {
			b = append(b, ret(map[string]int{"pid": 7})...)
			b = append(b, []byte(`{"return": {"exi`)...)
			b = append(b, 0xFF)
			b = append(b, ret(args.ID+1)...)
			b = append(b, []byte(`ted": false}}`+"\n")...)
		}
		return append(append(b, 0xFF), ret(args.ID)...)
	case "guest-ping":
		return ret(struct{}{})
	case "guest-exec":
		if a.opts.DisableExec {
			return fail("GenericError", "Command guest-exec has been disabled")
		}
		return a.exec(req.Arguments)
	case "guest-exec-status":
		return a.status(req.Arguments)
	}
	return fail("CommandNotFound", fmt.Sprintf("The command %s has not been found", req.Execute))
}

func (a *Agent) exec(raw json.RawMessage) []byte {
	var args struct {
		Path          string   `json:"path"`
		Arg           []string `json:"arg"`
		CaptureOutput bool     `json:"capture-output"`
	}
	if err := json.Unmarshal(raw, &args); err != nil || args.Path == "" {
		return fail("GenericError", "Invalid parameter 'path'")
	}
	p := &proc{cmd: exec.Command(args.Path, args.Arg...), done: make(chan struct{})}
	if args.CaptureOutput {
		p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.err
	}
	if err := p.cmd.Start(); err != nil {
		return fail("GenericError", fmt.Sprintf("Guest agent command failed, error was 'Failed to execute child process “%s” (%v)'", args.Path, err))
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	a.mu.Lock()
	a.nextPID++
	pid := a.nextPID
	a.procs[pid] = p
	a.mu.Unlock()
	return ret(map[string]int{"pid": pid})
}

func (a *Agent) status(raw json.RawMessage) []byte {
	var args struct {
		PID int `json:"pid"`
	}
	_ = json.Unmarshal(raw, &args)
	a.mu.Lock()
	p, ok := a.procs[args.PID]
	a.mu.Unlock()
	if !ok {
		return fail("GenericError", "Invalid parameter 'pid'")
	}
	select {
	case <-p.done:
	default:
		return ret(map[string]bool{"exited": false})
	}
	a.mu.Lock()
	delete(a.procs, args.PID)
	a.mu.Unlock()
	st := map[string]any{"exited": true, "exitcode": p.cmd.ProcessState.ExitCode()}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		st = map[string]any{"exited": true, "signal": int(ws.Signal())}
	}
	if p.out.Len() > 0 {
		st["out-data"] = base64.StdEncoding.EncodeToString(p.out.Bytes())
	}
	if p.err.Len() > 0 {
		st["err-data"] = base64.StdEncoding.EncodeToString(p.err.Bytes())
	}
	return ret(st)
}
