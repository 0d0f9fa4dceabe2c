package guest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"time"
)

// qmpEvent is an asynchronous message of QEMU's monitor, such as
// {"event": "WATCHDOG", "data": {"action": "poweroff"}}.
type qmpEvent struct {
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
	// At is when the test read it.
	At time.Time `json:"-"`
}

// qmp is a QMP connection that only listens: after qmp_capabilities it
// collects every event QEMU sends until the connection closes.
type qmp struct {
	conn net.Conn
	mu   sync.Mutex
	evs  []qmpEvent
	// changed is closed and replaced whenever an event arrives.
	changed chan struct{}
	done    chan struct{}
}

// dialQMP connects to QEMU's QMP socket, retrying until QEMU has made it.
func dialQMP(ctx context.Context, path string) (*qmp, error) {
	var conn net.Conn
	for {
		var err error
		var d net.Dialer
		if conn, err = d.DialContext(ctx, "unix", path); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connecting to QMP at %s: %w", path, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	r := bufio.NewReader(conn)
	// The greeting, then the answer to qmp_capabilities.
	var greeting struct {
		QMP json.RawMessage `json:"QMP"`
	}
	if err := readJSONLine(r, &greeting); err != nil || greeting.QMP == nil {
		conn.Close()
		return nil, fmt.Errorf("reading the QMP greeting: %v", err)
	}
	if _, err := conn.Write([]byte(`{"execute":"qmp_capabilities"}` + "\n")); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sending qmp_capabilities: %w", err)
	}
	var ans struct {
		Return json.RawMessage `json:"return"`
		Error  json.RawMessage `json:"error"`
	}
	if err := readJSONLine(r, &ans); err != nil || ans.Return == nil {
		conn.Close()
		return nil, fmt.Errorf("qmp_capabilities: %v %s", err, ans.Error)
	}
	q := &qmp{conn: conn, changed: make(chan struct{}), done: make(chan struct{})}
	go q.read(r)
	return q, nil
}

func readJSONLine(r *bufio.Reader, v any) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

func (q *qmp) read(r *bufio.Reader) {
	defer close(q.done)
	for {
		var ev qmpEvent
		if err := readJSONLine(r, &ev); err != nil {
			return
		}
		if ev.Event == "" {
			continue
		}
		ev.At = time.Now()
		q.mu.Lock()
		q.evs = append(q.evs, ev)
		close(q.changed)
		q.changed = make(chan struct{})
		q.mu.Unlock()
	}
}

// events returns the events received so far.
func (q *qmp) events() []qmpEvent {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]qmpEvent(nil), q.evs...)
}

// waitEvent waits for the first event named name after the first skip
// events, until ctx ends or QEMU closes the connection.
func (q *qmp) waitEvent(ctx context.Context, name string, skip int) (qmpEvent, error) {
	for {
		q.mu.Lock()
		for _, ev := range q.evs[min(skip, len(q.evs)):] {
			if ev.Event == name {
				q.mu.Unlock()
				return ev, nil
			}
		}
		changed := q.changed
		q.mu.Unlock()
		select {
		case <-changed:
		case <-q.done:
			// Events read before the close are in evs: look once more.
			for _, ev := range q.events()[min(skip, len(q.events())):] {
				if ev.Event == name {
					return ev, nil
				}
			}
			return qmpEvent{}, fmt.Errorf("QEMU closed QMP without a %s event", name)
		case <-ctx.Done():
			return qmpEvent{}, fmt.Errorf("no %s event: %w", name, ctx.Err())
		}
	}
}

func (q *qmp) close() { q.conn.Close() }
