package prober

import (
	"context"
	"slices"
	"testing"
	"time"
)

// fakeClock moves only when the runner sleeps or a check takes time.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

// script answers attempts from a list (the last one repeats), each taking
// the given time on the clock, and records when each attempt started.
type script struct {
	clock    *fakeClock
	start    time.Time
	outcomes []Outcome
	takes    time.Duration
	at       []float64
}

func (s *script) Check(ctx context.Context) Result {
	s.at = append(s.at, s.clock.now.Sub(s.start).Seconds())
	o := s.outcomes[min(len(s.at)-1, len(s.outcomes)-1)]
	s.clock.now = s.clock.now.Add(s.takes)
	return Result{Outcome: o, Detail: string(o)}
}

func outcomes(s string) []Outcome {
	var out []Outcome
	for _, c := range s {
		switch c {
		case 'S':
			out = append(out, Success)
		case 'W':
			out = append(out, Warning)
		case 'F':
			out = append(out, Failure)
		}
	}
	return out
}

type runCase struct {
	name     string
	typ      string
	delay    int32
	period   int32
	success  int32
	failure  int32
	results  string
	takes    time.Duration
	opts     Options
	wantAt   []float64
	wantEnd  string
	wantOK   bool
	wantTo   []string  // transitions, in order
	wantToAt []float64 // when they happened
}

func TestRunSchedule(t *testing.T) {
	tests := []runCase{
		{name: "initial delay on the period grid", typ: Readiness, delay: 15, period: 10, success: 1, failure: 3, results: "S",
			opts: Options{Rounds: 3}, wantAt: []float64{20, 30, 40}, wantEnd: EndRounds, wantOK: true,
			wantTo: []string{StateReady}, wantToAt: []float64{20}},
		{name: "delay on a tick", typ: Readiness, delay: 20, period: 5, success: 1, failure: 3, results: "S",
			opts: Options{Rounds: 1}, wantAt: []float64{20}, wantEnd: EndRounds, wantOK: true, wantTo: []string{StateReady}, wantToAt: []float64{20}},
		{name: "success threshold counts successes in a row", typ: Readiness, period: 10, success: 3, failure: 3, results: "FSSFSSS",
			opts: Options{Rounds: 7}, wantAt: []float64{0, 10, 20, 30, 40, 50, 60}, wantEnd: EndRounds, wantOK: true,
			wantTo: []string{StateReady}, wantToAt: []float64{60}},
		{name: "ready then not ready after failureThreshold", typ: Readiness, period: 2, success: 1, failure: 2, results: "SFSFFS",
			opts: Options{Rounds: 5}, wantAt: []float64{0, 2, 4, 6, 8}, wantEnd: EndRounds, wantOK: false,
			wantTo: []string{StateReady, StateNotReady}, wantToAt: []float64{0, 8}},
		{name: "warning counts as success", typ: Readiness, period: 10, success: 2, failure: 3, results: "WS",
			opts: Options{Rounds: 2}, wantAt: []float64{0, 10}, wantEnd: EndRounds, wantOK: true, wantTo: []string{StateReady}, wantToAt: []float64{10}},
		{name: "liveness kills after failureThreshold in a row", typ: Liveness, delay: 10, period: 10, success: 1, failure: 3, results: "SFFSFFF",
			opts: Options{}, wantAt: []float64{10, 20, 30, 40, 50, 60, 70}, wantEnd: EndKilled, wantOK: false,
			wantTo: []string{StateKilled}, wantToAt: []float64{70}},
		{name: "liveness alive at the end passes", typ: Liveness, period: 10, success: 1, failure: 3, results: "FFS",
			opts: Options{Rounds: 3}, wantAt: []float64{0, 10, 20}, wantEnd: EndRounds, wantOK: true},
		{name: "overrun: one late tick, the rest dropped", typ: Readiness, period: 10, success: 1, failure: 9, results: "F", takes: 25 * time.Second,
			opts: Options{Rounds: 3}, wantAt: []float64{0, 25, 50}, wantEnd: EndRounds, wantOK: false},
		{name: "duration bounds the run", typ: Readiness, delay: 10, period: 10, success: 1, failure: 3, results: "S",
			opts: Options{Duration: 35 * time.Second}, wantAt: []float64{10, 20, 30}, wantEnd: EndDuration, wantOK: true,
			wantTo: []string{StateReady}, wantToAt: []float64{10}},
		{name: "once ignores the delay", typ: Readiness, delay: 100, period: 10, success: 3, failure: 3, results: "S",
			opts: Options{Once: true}, wantAt: []float64{0}, wantEnd: EndOnce, wantOK: true},
		{name: "once fails on a failed attempt", typ: Liveness, delay: 100, period: 10, success: 1, failure: 3, results: "F",
			opts: Options{Once: true}, wantAt: []float64{0}, wantEnd: EndOnce, wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			sc := &script{clock: clock, start: clock.now, outcomes: outcomes(tt.results), takes: tt.takes}
			p := &Probe{Type: tt.typ, Handler: "httpGet", Checker: sc, InitialDelaySeconds: tt.delay, PeriodSeconds: tt.period,
				TimeoutSeconds: 1, SuccessThreshold: tt.success, FailureThreshold: tt.failure}
			opts := tt.opts
			opts.Clock = clock
			var events []Event
			sum, err := Run(context.Background(), []*Probe{p}, opts, func(e Event) { events = append(events, e) })
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sc.at, tt.wantAt) {
				t.Errorf("attempts at %v s, want %v", sc.at, tt.wantAt)
			}
			if sum.Reason != tt.wantEnd || sum.OK != tt.wantOK {
				t.Errorf("ended %s ok=%v, want %s ok=%v", sum.Reason, sum.OK, tt.wantEnd, tt.wantOK)
			}
			var to []string
			var toAt []float64
			for _, e := range events {
				if e.Event == EventTransition {
					to, toAt = append(to, e.To), append(toAt, e.Elapsed-tt.takes.Seconds())
				}
			}
			if !slices.Equal(to, tt.wantTo) || !slices.Equal(toAt, tt.wantToAt) {
				t.Errorf("transitions %v at %v, want %v at %v", to, toAt, tt.wantTo, tt.wantToAt)
			}
			if last := events[len(events)-1]; last.Event != EventEnd || *last.OK != tt.wantOK {
				t.Errorf("last event %+v, want an end event with ok=%v", last, tt.wantOK)
			}
		})
	}
}

func TestRunTwoProbesAndKill(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	ready := &script{clock: clock, start: clock.now, outcomes: outcomes("S")}
	live := &script{clock: clock, start: clock.now, outcomes: outcomes("SFF")}
	probes := []*Probe{
		{Type: Readiness, Checker: ready, InitialDelaySeconds: 10, PeriodSeconds: 5, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3},
		{Type: Liveness, Checker: live, InitialDelaySeconds: 20, PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 2},
	}
	sum, err := Run(context.Background(), probes, Options{Clock: clock}, func(Event) {})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{10, 15, 20, 25, 30, 35, 40}; !slices.Equal(ready.at, want) {
		t.Errorf("readiness at %v, want %v", ready.at, want)
	}
	if want := []float64{20, 30, 40}; !slices.Equal(live.at, want) {
		t.Errorf("liveness at %v, want %v", live.at, want)
	}
	if sum.Reason != EndKilled || sum.OK || *sum.Ready != true || *sum.Alive != false {
		t.Errorf("got %+v ready=%v alive=%v, want killed, ready, not alive", sum, *sum.Ready, *sum.Alive)
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clock := &fakeClock{now: time.Unix(0, 0)}
	sc := &script{clock: clock, start: clock.now, outcomes: outcomes("S")}
	p := &Probe{Type: Readiness, Checker: sc, PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
	n := 0
	sum, err := Run(ctx, []*Probe{p}, Options{Clock: clock}, func(e Event) {
		if e.Event == EventAttempt {
			if n++; n == 4 {
				cancel()
			}
		}
	})
	if err == nil || sum.Reason != EndInterrupted || len(sc.at) != 4 {
		t.Errorf("got %+v, %v after %d attempts, want interrupted after 4", sum, err, len(sc.at))
	}
}
