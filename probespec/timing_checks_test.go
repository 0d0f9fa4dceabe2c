package probespec

import (
	"strings"
	"testing"
	"time"

	v1 "kubevirt.io/api/core/v1"
)

func TestCheckLivenessSuccessThreshold(t *testing.T) {
	runProbeCheck(t, CheckLivenessSuccessThreshold, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "unset", p: HTTPGet(80, "/").Build()},
		{name: "1", p: HTTPGet(80, "/").SuccessThreshold(1).Build()},
		{name: "negative is defaulted to 1", p: HTTPGet(80, "/").SuccessThreshold(-2).Build()},
		{name: "2", p: HTTPGet(80, "/").SuccessThreshold(2).Build(), want: []wantErr{invalid(lp + ".successThreshold")}},
	})
}

func TestCheckInitialDelay(t *testing.T) {
	runProbeCheck(t, CheckInitialDelay, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "unset", p: Exec("true").Build()},
		{name: "-10 gives 0 on the pod", p: Exec("true").InitialDelay(-10).Build()},
		{name: "-11", p: Exec("true").InitialDelay(-11).Build(), want: []wantErr{invalid(lp + ".initialDelaySeconds")}},
		{name: "120", p: Exec("true").InitialDelay(120).Build()},
	})
}

func TestCheckPeriodExceedsTimeout(t *testing.T) {
	runProbeCheck(t, CheckPeriodExceedsTimeout, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "defaults", p: TCPSocket(22).Build()},
		{name: "period above timeout", p: TCPSocket(22).Period(20).Timeout(10).Build()},
		{name: "equal, period written", p: TCPSocket(22).Period(10).Timeout(10).Build(),
			want: []wantErr{invalid(lp + ".periodSeconds")}},
		{name: "below, period written", p: TCPSocket(22).Period(5).Timeout(10).Build(),
			want: []wantErr{invalid(lp + ".periodSeconds")}},
		{name: "timeout above default period", p: TCPSocket(22).Timeout(15).Build(),
			want: []wantErr{invalid(lp + ".timeoutSeconds")}},
		{name: "negative period defaulted to 10, written", p: TCPSocket(22).Period(-1).Timeout(10).Build(),
			want: []wantErr{invalid(lp + ".periodSeconds")}},
		{name: "period 2 above default timeout", p: TCPSocket(22).Period(2).Build()},
		{name: "exec runs with timeout + 1", p: Exec("true").Period(6).Timeout(5).Build(),
			want: []wantErr{invalid(lp + ".periodSeconds")}},
		{name: "guest-agent ping runs with timeout + 1", p: GuestAgentPing().Period(2).Build(),
			want: []wantErr{invalid(lp + ".periodSeconds")}},
		{name: "tcp keeps its timeout", p: TCPSocket(22).Period(6).Timeout(5).Build()},
		{name: "exec two above", p: Exec("true").Period(7).Timeout(5).Build()},
	})
}

func TestCheckThresholdsBelowOne(t *testing.T) {
	allNegative := &v1.Probe{TimeoutSeconds: -1, PeriodSeconds: -2, SuccessThreshold: -3, FailureThreshold: -4}
	runProbeCheck(t, CheckThresholdsBelowOne, []probeCheckCase{
		{name: "nil probe", p: nil},
		{name: "zeros cannot be told from unset", p: &v1.Probe{}},
		{name: "positive", p: TCPSocket(22).Timeout(1).Period(1).SuccessThreshold(1).FailureThreshold(1).Build()},
		{name: "negative period", p: TCPSocket(22).Period(-5).Build(), want: []wantErr{invalid(lp + ".periodSeconds")}},
		{name: "all negative", p: allNegative, want: []wantErr{
			invalid(lp + ".timeoutSeconds"), invalid(lp + ".periodSeconds"),
			invalid(lp + ".successThreshold"), invalid(lp + ".failureThreshold"),
		}},
	})
}

func TestCheckThresholdsBelowOneWritten(t *testing.T) {
	writtenSet := func(names ...string) func(string) bool {
		return func(name string) bool {
			for _, n := range names {
				if n == name {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name    string
		p       *v1.Probe
		written func(string) bool
		want    []wantErr
	}{
		{name: "nil probe", p: nil, written: writtenSet("periodSeconds")},
		{name: "nil written", p: &v1.Probe{}, written: nil},
		{name: "written zero period", p: &v1.Probe{}, written: writtenSet("periodSeconds"),
			want: []wantErr{invalid(lp + ".periodSeconds")}},
		{name: "written zero failure threshold and negative timeout", p: &v1.Probe{TimeoutSeconds: -1},
			written: writtenSet("failureThreshold"),
			want:    []wantErr{invalid(lp + ".timeoutSeconds"), invalid(lp + ".failureThreshold")}},
		{name: "written positive", p: &v1.Probe{PeriodSeconds: 3}, written: writtenSet("periodSeconds")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertErrors(t, CheckThresholdsBelowOneWritten(tt.p, probePath, tt.written), tt.want)
		})
	}
}

func TestCheckLivenessBootWindow(t *testing.T) {
	tests := []struct {
		name       string
		p          *v1.Probe
		minBoot    time.Duration
		want       []wantErr
		wantDetail string
	}{
		{name: "nil probe", p: nil, minBoot: time.Minute},
		{name: "defaults end the VM after 31 s", p: HTTPGet(80, "/").Build(), minBoot: time.Minute,
			want: []wantErr{invalid(lp)}, wantDetail: "31 s after start"},
		{name: "zero minBoot means the default", p: HTTPGet(80, "/").Build(), minBoot: 0,
			want: []wantErr{invalid(lp)}, wantDetail: "at least 29"},
		{name: "written delay too short", p: HTTPGet(80, "/").InitialDelay(20).Build(), minBoot: time.Minute,
			want: []wantErr{invalid(lp + ".initialDelaySeconds")}, wantDetail: "51 s after start"},
		{name: "exactly enough", p: HTTPGet(80, "/").InitialDelay(29).Build(), minBoot: time.Minute},
		{name: "generous", p: HTTPGet(1500, "/healthz").InitialDelay(120).Period(20).Timeout(10).Build(), minBoot: time.Minute},
		{name: "exec timeout offset counts", p: Exec("true").InitialDelay(28).Build(), minBoot: time.Minute},
		{name: "short custom boot", p: HTTPGet(80, "/").Build(), minBoot: 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := CheckLivenessBootWindow(tt.p, probePath, tt.minBoot)
			assertErrors(t, errs, tt.want)
			if tt.wantDetail != "" && len(errs) == 1 && !strings.Contains(errs[0].Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", errs[0].Detail, tt.wantDetail)
			}
		})
	}
}
