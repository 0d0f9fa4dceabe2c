package prober

import (
	"context"
	"errors"
	"time"
)

// States a probe puts the VMI in.
const (
	// StateNotReady is where readiness starts: the kubelet counts a VMI
	// not ready until its readiness probe has succeeded.
	StateNotReady = "NotReady"
	// StateReady means the VMI is in its Services' endpoints.
	StateReady = "Ready"
	// StateAlive is where liveness starts.
	StateAlive = "Alive"
	// StateKilled means the liveness probe failed failureThreshold times
	// in a row: the kubelet kills the compute container and the VMI ends.
	StateKilled = "Killed"
)

// Event kinds.
const (
	EventStart      = "start"
	EventAttempt    = "attempt"
	EventTransition = "transition"
	EventEnd        = "end"
)

// Reasons a run ends.
const (
	EndOnce        = "once"
	EndRounds      = "rounds"
	EndDuration    = "duration"
	EndKilled      = "killed"
	EndInterrupted = "interrupted"
)

// Event is one line of a run's timeline. Which fields are set depends on
// Event; docs/probe.md lists them.
type Event struct {
	Time time.Time `json:"time"`
	// Elapsed is the time since the run started, which stands for the
	// start of the virt-launcher compute container.
	Elapsed float64 `json:"elapsedSeconds"`
	Event   string  `json:"event"`
	// Probe and Handler are set for start, attempt and transition events;
	// Spec, the probe's settings, for start events.
	Probe   string `json:"probe,omitempty"`
	Handler string `json:"handler,omitempty"`
	Spec    *Probe `json:"spec,omitempty"`
	// Attempt, Result, LatencySeconds, Detail and Run describe an attempt:
	// its number, its outcome, how long it took, what it saw, and how many
	// attempts in a row have had the same outcome.
	Attempt        int      `json:"attempt,omitempty"`
	Result         Outcome  `json:"result,omitempty"`
	LatencySeconds *float64 `json:"latencySeconds,omitempty"`
	Detail         string   `json:"detail,omitempty"`
	Run            int      `json:"run,omitempty"`
	// State is the probe's state after the event; From and To are set on
	// a transition.
	State string `json:"state,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	// Reason, Ready, Alive and OK close the run (end events): why it
	// ended, the states it ended in (nil when that probe did not run), and
	// whether that is a pass.
	Reason string `json:"reason,omitempty"`
	Ready  *bool  `json:"ready,omitempty"`
	Alive  *bool  `json:"alive,omitempty"`
	OK     *bool  `json:"ok,omitempty"`
}

// Options bound and time a run.
type Options struct {
	// Clock is RealClock when nil.
	Clock Clock
	// Once makes one attempt of each probe at once, without delays; the
	// run passes when every attempt succeeds.
	Once bool
	// Rounds ends the run after that many attempts of each probe; 0 means
	// no bound.
	Rounds int
	// Duration ends the run when no attempt is due before that much time
	// has passed since the start; 0 means no bound.
	Duration time.Duration
}

// Summary is how a run ended.
type Summary struct {
	Reason string
	// Ready and Alive are nil when no readiness or liveness probe ran.
	Ready, Alive *bool
	// OK is the verdict: with Once, every attempt succeeded; otherwise the
	// VMI ended Ready (if it has a readiness probe) and alive.
	OK bool
}

// state follows one probe as the kubelet's prober worker does.
type state struct {
	p         *Probe
	attempts  int
	last      Outcome // "" before the first attempt
	run       int
	state     string
	next      int // index of the next tick
	allPassed bool
}

func (s *state) done(o Options) bool {
	return s.state == StateKilled || (o.Rounds > 0 && s.attempts >= o.Rounds) || (o.Once && s.attempts > 0)
}

// record counts an attempt and reports the new state when it changes:
// the kubelet changes a probe's result only after successThreshold
// successes, or failureThreshold failures, in a row.
func (s *state) record(o Outcome) (changed bool) {
	s.attempts++
	cur := Failure
	if o.Succeeded() {
		cur = Success
	}
	if cur == s.last {
		s.run++
	} else {
		s.last, s.run = cur, 1
	}
	if !o.Succeeded() {
		s.allPassed = false
	}
	if (cur == Failure && s.run < int(s.p.FailureThreshold)) || (cur == Success && s.run < int(s.p.SuccessThreshold)) {
		return false
	}
	var next string
	switch {
	case s.p.Type == Liveness && cur == Failure:
		next = StateKilled
	case s.p.Type == Liveness:
		next = StateAlive
	case cur == Failure:
		next = StateNotReady
	default:
		next = StateReady
	}
	changed = next != s.state
	s.state = next
	return changed
}

// Run runs probes until opts bound the run, liveness would end the VMI, or
// ctx is done, and sends every event to emit as it happens. Attempts run
// one at a time, each tick of a probe on the period grid the kubelet's
// ticker follows from the start; an attempt that overruns delays the
// next, and ticks missed meanwhile are dropped as the kubelet drops them.
func Run(ctx context.Context, probes []*Probe, opts Options, emit func(Event)) (Summary, error) {
	if len(probes) == 0 {
		return Summary{}, errors.New("no probe to run")
	}
	clock := opts.Clock
	if clock == nil {
		clock = RealClock{}
	}
	start := clock.Now()
	event := func(e Event) {
		now := clock.Now()
		e.Time, e.Elapsed = now, now.Sub(start).Seconds()
		emit(e)
	}
	states := make([]*state, len(probes))
	for i, p := range probes {
		s := &state{p: p, state: StateNotReady, allPassed: true}
		if p.Type == Liveness {
			s.state = StateAlive
		}
		states[i] = s
		event(Event{Event: EventStart, Probe: p.Type, Handler: p.Handler, Spec: p, State: s.state})
	}
	tickAt := func(s *state, i int) time.Time {
		if opts.Once {
			return start
		}
		return start.Add(time.Duration(i) * seconds(s.p.PeriodSeconds))
	}
	finish := func(reason string) (Summary, error) {
		sum := Summary{Reason: reason, OK: true}
		for _, s := range states {
			v := s.state != StateNotReady && s.state != StateKilled
			if s.p.Type == Readiness {
				sum.Ready = &v
			} else {
				sum.Alive = &v
			}
			if opts.Once {
				sum.OK = sum.OK && s.allPassed && s.attempts > 0
			} else {
				sum.OK = sum.OK && v
			}
		}
		ok := sum.OK
		event(Event{Event: EventEnd, Reason: reason, Ready: sum.Ready, Alive: sum.Alive, OK: &ok})
		return sum, ctx.Err()
	}
	for {
		var s *state
		for _, c := range states {
			if !c.done(opts) && (s == nil || tickAt(c, c.next).Before(tickAt(s, s.next))) {
				s = c
			}
		}
		if s == nil {
			if opts.Once {
				return finish(EndOnce)
			}
			return finish(EndRounds)
		}
		due := tickAt(s, s.next)
		if opts.Duration > 0 && due.Sub(start) >= opts.Duration {
			return finish(EndDuration)
		}
		if err := clock.Sleep(ctx, due.Sub(clock.Now())); err != nil {
			return finish(EndInterrupted)
		}
		consumed := clock.Now()
		// The kubelet skips ticks until the container has run for
		// initialDelaySeconds, counted in whole seconds.
		if !opts.Once && int64(consumed.Sub(start)/time.Second) < int64(s.p.InitialDelaySeconds) {
			s.next = nextTick(consumed.Sub(start), s.p.PeriodSeconds)
			continue
		}
		t0 := clock.Now()
		res := s.p.Checker.Check(ctx)
		if ctx.Err() != nil {
			return finish(EndInterrupted)
		}
		latency := clock.Now().Sub(t0).Seconds()
		before := s.state
		changed := s.record(res.Outcome)
		event(Event{Event: EventAttempt, Probe: s.p.Type, Handler: s.p.Handler, Attempt: s.attempts, Result: res.Outcome,
			LatencySeconds: &latency, Detail: res.Detail, Run: s.run, State: s.state})
		if changed {
			event(Event{Event: EventTransition, Probe: s.p.Type, Handler: s.p.Handler, From: before, To: s.state, State: s.state})
		}
		if s.state == StateKilled {
			return finish(EndKilled)
		}
		s.next = nextTick(consumed.Sub(start), s.p.PeriodSeconds)
	}
}

// nextTick is the index of the first tick after elapsed: a ticker whose
// receiver was busy delivers one tick late and drops the rest.
func nextTick(elapsed time.Duration, period int32) int {
	return int(elapsed/seconds(period)) + 1
}
