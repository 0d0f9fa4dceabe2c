package prober

import (
	"context"
	"time"
)

// Clock is the time the runner schedules by, so tests can count delays
// and periods without waiting for them.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done, which it returns.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or the end of ctx.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func seconds(n int32) time.Duration { return time.Duration(n) * time.Second }
