// Package lsptest is a raw JSON-RPC client of a language server for tests:
// it frames messages itself (Content-Length headers) and hands back the
// server's messages undecoded, so a test sees exactly what an editor would.
package lsptest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Message is one message from the server: a response (ID set, Method
// empty), a notification (Method set, ID empty) or a request to the client.
type Message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// Client talks to a server over a pair of streams.
type Client struct {
	w      io.Writer
	msgs   chan Message
	errs   chan error
	nextID int
	// Timeout bounds every wait for a message; 0 means 30 s.
	Timeout time.Duration
}

// New starts reading the server's messages from r; requests go to w.
func New(r io.Reader, w io.Writer) *Client {
	c := &Client{w: w, msgs: make(chan Message, 64), errs: make(chan error, 1)}
	go c.read(bufio.NewReader(r))
	return c
}

func (c *Client) read(r *bufio.Reader) {
	for {
		length := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				c.errs <- err
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(v)
			}
		}
		if length < 0 {
			c.errs <- fmt.Errorf("message without Content-Length")
			return
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(r, body); err != nil {
			c.errs <- err
			return
		}
		var m Message
		if err := json.Unmarshal(body, &m); err != nil {
			c.errs <- fmt.Errorf("decoding %s: %w", body, err)
			return
		}
		c.msgs <- m
	}
}

// Send writes raw as one message, framed.
func (c *Client) Send(raw []byte) error {
	_, err := fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n%s", len(raw), raw)
	return err
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) error {
	raw, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
	if err != nil {
		return err
	}
	return c.Send(raw)
}

// Request sends a request and returns its ID.
func (c *Client) Request(method string, params any) (int, error) {
	c.nextID++
	m := map[string]any{"jsonrpc": "2.0", "id": c.nextID, "method": method}
	if params != nil {
		m["params"] = params
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return 0, err
	}
	return c.nextID, c.Send(raw)
}

// Next returns the server's next message.
func (c *Client) Next() (Message, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	select {
	case m := <-c.msgs:
		return m, nil
	case err := <-c.errs:
		return Message{}, err
	case <-time.After(timeout):
		return Message{}, fmt.Errorf("no message from the server in %s", timeout)
	}
}

// Call sends a request and waits for its response, passing the messages
// before it (notifications) to skipped when it is not nil.
func (c *Client) Call(method string, params any, skipped func(Message)) (Message, error) {
	id, err := c.Request(method, params)
	if err != nil {
		return Message{}, err
	}
	want := strconv.Itoa(id)
	for {
		m, err := c.Next()
		if err != nil {
			return Message{}, err
		}
		if m.Method == "" && string(m.ID) == want {
			return m, nil
		}
		if skipped != nil {
			skipped(m)
		}
	}
}

// WaitNotification returns the next notification of method, dropping
// other messages.
func (c *Client) WaitNotification(method string) (Message, error) {
	for {
		m, err := c.Next()
		if err != nil {
			return Message{}, err
		}
		if m.Method == method && len(m.ID) == 0 {
			return m, nil
		}
	}
}
