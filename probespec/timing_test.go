package probespec

import (
	"testing"
	"time"
)

func TestEffectiveTiming(t *testing.T) {
	tests := []struct {
		name             string
		e                Effective
		wantFirst        time.Duration
		wantSuccess      time.Duration
		wantDetectMin    time.Duration
		wantDetectMax    time.Duration
		wantLivenessKill time.Duration
	}{
		{
			name:             "KubeVirt defaults",
			e:                EffectiveProbe(HTTPGet(80, "/").Build()),
			wantFirst:        10 * time.Second,
			wantSuccess:      10 * time.Second,
			wantDetectMin:    21 * time.Second, // 2×10 + 1
			wantDetectMax:    31 * time.Second, // 3×10 + 1
			wantLivenessKill: 31 * time.Second, // 10 + 2×10 + 1
		},
		{
			name: "the documentation's http example",
			e: EffectiveProbe(HTTPGet(1500, "/healthz").InitialDelay(120).Period(20).Timeout(10).
				FailureThreshold(3).SuccessThreshold(3).Build()),
			wantFirst:        130 * time.Second,
			wantSuccess:      170 * time.Second, // 130 + 2×20
			wantDetectMin:    50 * time.Second,  // 2×20 + 10
			wantDetectMax:    70 * time.Second,  // 3×20 + 10
			wantLivenessKill: 180 * time.Second, // 130 + 2×20 + 10
		},
		{
			name:             "exec timeout includes the guest agent offset",
			e:                EffectiveProbe(Exec("true").Timeout(2).Period(5).FailureThreshold(1).Build()),
			wantFirst:        10 * time.Second,
			wantSuccess:      10 * time.Second,
			wantDetectMin:    3 * time.Second, // 0×5 + 3
			wantDetectMax:    8 * time.Second, // 1×5 + 3
			wantLivenessKill: 13 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.FirstProbeAfter(); got != tt.wantFirst {
				t.Errorf("FirstProbeAfter() = %v, want %v", got, tt.wantFirst)
			}
			if got := tt.e.EarliestSuccessAfter(); got != tt.wantSuccess {
				t.Errorf("EarliestSuccessAfter() = %v, want %v", got, tt.wantSuccess)
			}
			gotMin, gotMax := tt.e.FailureDetection()
			if gotMin != tt.wantDetectMin || gotMax != tt.wantDetectMax {
				t.Errorf("FailureDetection() = %v, %v, want %v, %v", gotMin, gotMax, tt.wantDetectMin, tt.wantDetectMax)
			}
			if got := tt.e.EarliestLivenessKill(); got != tt.wantLivenessKill {
				t.Errorf("EarliestLivenessKill() = %v, want %v", got, tt.wantLivenessKill)
			}
		})
	}
}
