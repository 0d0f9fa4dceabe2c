package prober

import (
	"context"
	"net"
	"time"
)

// tcpCheck is a tcpSocket probe: the kubelet opens a connection and closes
// it at once; connecting within the timeout is a success.
type tcpCheck struct {
	addr    string
	timeout time.Duration
}

func (c *tcpCheck) Check(ctx context.Context) Result {
	d := net.Dialer{Timeout: c.timeout}
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return Result{Outcome: Failure, Detail: err.Error()}
	}
	_ = conn.Close()
	return Result{Outcome: Success, Detail: "connected to " + c.addr}
}
