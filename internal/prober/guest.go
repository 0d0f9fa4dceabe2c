package prober

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vmhealth/vmhealth/internal/qga"
)

// execCheck is an exec probe as KubeVirt runs it: virt-probe asks
// qemu-guest-agent to run the command (guest-exec) and waits up to
// timeoutSeconds for it to exit; exit status 0 is a success. (The kubelet
// gives virt-probe one second more, so the guest's timeout decides.)
type execCheck struct {
	agent   *Agent
	command []string
	timeout time.Duration
}

func (c *execCheck) Check(ctx context.Context) Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	client, err := c.agent.get(ctx)
	if err != nil {
		return Result{Outcome: Failure, Detail: err.Error()}
	}
	res, err := client.Exec(ctx, c.command[0], c.command[1:])
	if err != nil {
		return c.failed(ctx, err)
	}
	out := excerpt(res.Stdout, res.Stderr)
	switch {
	case res.Signal != 0:
		return Result{Outcome: Failure, Detail: fmt.Sprintf("killed by signal %d%s", res.Signal, out)}
	case res.ExitCode != 0:
		return Result{Outcome: Failure, Detail: fmt.Sprintf("exit status %d%s", res.ExitCode, out)}
	}
	return Result{Outcome: Success, Detail: "exit status 0" + out}
}

// failed words an agent error; a timeout leaves the stream unsynced, but
// the client syncs again itself, so the connection is kept.
func (c *execCheck) failed(ctx context.Context, err error) Result {
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return Result{Outcome: Failure, Detail: fmt.Sprintf("no answer within %v: %v", c.timeout, err)}
	}
	if isConnError(err) {
		c.agent.drop()
	}
	return Result{Outcome: Failure, Detail: err.Error()}
}

// pingCheck is a guestAgentPing probe: guest-ping answered within
// timeoutSeconds.
type pingCheck struct {
	agent   *Agent
	timeout time.Duration
}

func (c *pingCheck) Check(ctx context.Context) Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	client, err := c.agent.get(ctx)
	if err != nil {
		return Result{Outcome: Failure, Detail: err.Error()}
	}
	if err := client.Ping(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return Result{Outcome: Failure, Detail: fmt.Sprintf("no answer within %v", c.timeout)}
		}
		if isConnError(err) {
			c.agent.drop()
		}
		return Result{Outcome: Failure, Detail: err.Error()}
	}
	return Result{Outcome: Success, Detail: "guest-ping answered"}
}

// isConnError reports whether err means the connection itself is gone,
// rather than an error answer of the agent.
func isConnError(err error) bool {
	var qe *qga.Error
	return !errors.As(err, &qe)
}

// excerpt shows the start of what the command wrote, as the kubelet keeps
// an exec probe's output for its events.
func excerpt(stdout, stderr []byte) string {
	s := strings.TrimSpace(string(stdout) + " " + string(stderr))
	if s == "" {
		return ""
	}
	const max = 200
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return ": " + s
}
