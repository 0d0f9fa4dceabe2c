// Package qga is a client of qemu-guest-agent, the daemon in a guest that
// answers JSON commands on a virtio-serial channel. KubeVirt's virt-probe
// reaches it the same way, through the unix socket that QEMU puts at the
// host end of the org.qemu.guest_agent.0 channel; vmhealth probe uses it to
// run exec and guestAgentPing probes.
//
// The channel is a byte stream with no framing, which a client that went
// away mid-answer can leave full of stale replies. So before its first
// command, and after any command that failed half way, a Client sends the
// 0xFF delimiter and guest-sync-delimited with a random id, and skips
// replies until one carries that id.
package qga

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Client talks to one qemu-guest-agent. Its methods may be called from
// several goroutines; commands run one at a time.
type Client struct {
	mu   sync.Mutex
	conn net.Conn
	// r reads the connection; dec decodes answers from it once synced.
	r      *bufio.Reader
	dec    *json.Decoder
	synced bool
}

// Error is an error answer of the agent, such as GenericError "Command
// guest-exec has been disabled" on a guest whose agent blocks guest-exec.
type Error struct {
	// Command is the command that failed.
	Command string
	// Class and Desc are the agent's error class and description.
	Class string
	Desc  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("qemu-guest-agent: %s: %s: %s", e.Command, e.Class, e.Desc)
}

// ExecResult is how a command run by Exec ended.
type ExecResult struct {
	// ExitCode is the exit status, valid when Signal is 0.
	ExitCode int
	// Signal is the signal that ended the process, or 0.
	Signal int
	// Stdout and Stderr are what the process wrote, as far as the agent
	// captured it.
	Stdout, Stderr []byte
}

// Dial connects to the agent at addr on network ("unix" for the socket of
// a QEMU chardev, or "tcp"). It does not talk to the agent yet: an agent
// that is not running in the guest shows in the first command, not here.
func Dial(ctx context.Context, network, addr string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to qemu-guest-agent: %w", err)
	}
	return &Client{conn: conn, r: bufio.NewReader(conn)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Ping sends guest-ping, which the agent answers as soon as it runs.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, "guest-ping", nil, nil)
}

// Exec runs path with args in the guest (guest-exec with capture-output)
// and polls guest-exec-status until the process has exited or ctx is done.
// When ctx ends first the process keeps running in the guest: the agent
// has no command to stop it.
func (c *Client) Exec(ctx context.Context, path string, args []string) (ExecResult, error) {
	if args == nil {
		args = []string{}
	}
	var started struct {
		PID int `json:"pid"`
	}
	err := c.do(ctx, "guest-exec", map[string]any{"path": path, "arg": args, "capture-output": true}, &started)
	if err != nil {
		return ExecResult{}, err
	}
	wait := 5 * time.Millisecond
	for {
		var st struct {
			Exited   bool   `json:"exited"`
			ExitCode int    `json:"exitcode"`
			Signal   int    `json:"signal"`
			OutData  string `json:"out-data"`
			ErrData  string `json:"err-data"`
		}
		if err := c.do(ctx, "guest-exec-status", map[string]any{"pid": started.PID}, &st); err != nil {
			return ExecResult{}, err
		}
		if st.Exited {
			res := ExecResult{ExitCode: st.ExitCode, Signal: st.Signal}
			if res.Stdout, err = base64.StdEncoding.DecodeString(st.OutData); err != nil {
				return res, fmt.Errorf("qemu-guest-agent: decoding out-data: %w", err)
			}
			if res.Stderr, err = base64.StdEncoding.DecodeString(st.ErrData); err != nil {
				return res, fmt.Errorf("qemu-guest-agent: decoding err-data: %w", err)
			}
			return res, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ExecResult{}, fmt.Errorf("qemu-guest-agent: waiting for pid %d: %w", started.PID, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// request is one command on the wire.
type request struct {
	Execute   string `json:"execute"`
	Arguments any    `json:"arguments,omitempty"`
}

// response is one answer on the wire.
type response struct {
	Return json.RawMessage `json:"return"`
	Error  *struct {
		Class string `json:"class"`
		Desc  string `json:"desc"`
	} `json:"error"`
}

// do sends one command and decodes its return value into out, syncing the
// stream first when needed. Any failure other than an error answer leaves
// the stream unsynced, so the next command syncs again.
func (c *Client) do(ctx context.Context, cmd string, args any, out any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("qemu-guest-agent: %s: %w", cmd, err)
	}
	stop := c.watch(ctx)
	defer stop()
	wrap := func(err error) error {
		c.synced = false
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("qemu-guest-agent: %s: %w", cmd, err)
	}
	if !c.synced {
		if err := c.sync(); err != nil {
			return wrap(fmt.Errorf("syncing: %w", err))
		}
		c.synced = true
	}
	if err := c.send(request{Execute: cmd, Arguments: args}); err != nil {
		return wrap(err)
	}
	var r response
	if err := c.dec.Decode(&r); err != nil {
		return wrap(err)
	}
	if r.Error != nil {
		return &Error{Command: cmd, Class: r.Error.Class, Desc: r.Error.Desc}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Return, out); err != nil {
		return wrap(fmt.Errorf("decoding the answer: %w", err))
	}
	return nil
}

// watch makes a done ctx interrupt reads and writes on the connection; the
// returned function undoes it.
func (c *Client) watch(ctx context.Context) func() {
	// Only once ctx is done, so that the error it causes is ctx's.
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = c.conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	return func() {
		if !stop() {
			<-fired // the deadline is set; clear it only after
		}
		_ = c.conn.SetDeadline(time.Time{})
	}
}

// sync sends the delimiter and guest-sync-delimited, then skips whatever
// the stream still holds until the answer with its id arrives.
func (c *Client) sync() error {
	id := rand.Int64N(1<<53-1) + 1 // exact in a JSON number
	if _, err := c.conn.Write([]byte{0xFF}); err != nil {
		return err
	}
	if err := c.send(request{Execute: "guest-sync-delimited", Arguments: map[string]any{"id": id}}); err != nil {
		return err
	}
	for {
		// The agent writes 0xFF just before the answer to
		// guest-sync-delimited; whatever comes before it is stale.
		for {
			b, err := c.r.ReadByte()
			if err != nil {
				return err
			}
			if b == 0xFF {
				break
			}
		}
		// This decoder keeps 0xFF bytes, so that one after a stale answer
		// is still there to be found.
		dec := json.NewDecoder(c.r)
		var r response
		err := dec.Decode(&r)
		var got int64
		if err == nil && r.Error == nil && json.Unmarshal(r.Return, &got) == nil && got == id {
			c.dec = json.NewDecoder(skipDelimiter{io.MultiReader(dec.Buffered(), c.r)})
			return nil
		}
		var se *json.SyntaxError
		if err != nil && !errors.As(err, &se) {
			return err
		}
		// A stale answer, or half of one: go on reading after it.
		c.r = bufio.NewReader(io.MultiReader(dec.Buffered(), c.r))
	}
}

func (c *Client) send(r request) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = c.conn.Write(append(b, '\n'))
	return err
}

// DropDelimiters returns a reader of r without its 0xFF bytes: the agent
// writes one before its answer to guest-sync-delimited, and a client sends
// one to reset the agent's parser. 0xFF never occurs in UTF-8 JSON.
func DropDelimiters(r io.Reader) io.Reader { return skipDelimiter{r} }

type skipDelimiter struct{ r io.Reader }

func (s skipDelimiter) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		j := 0
		for _, b := range p[:n] {
			if b != 0xFF {
				p[j] = b
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
