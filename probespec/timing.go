package probespec

import "time"

// FirstProbeAfter is the earliest time after the container starts at which
// the kubelet sends the first probe: initialDelaySeconds. The first tick at
// or after it may come up to one period later.
func (e Effective) FirstProbeAfter() time.Duration {
	return seconds(e.InitialDelaySeconds)
}

// EarliestSuccessAfter is the earliest time at which the probe can report
// success, when every probe succeeds from the first one:
//
//	initialDelaySeconds + (successThreshold-1) × periodSeconds
//
// For a readiness probe this is when the VMI can become Ready at the
// soonest.
func (e Effective) EarliestSuccessAfter() time.Duration {
	return seconds(e.InitialDelaySeconds) + time.Duration(e.SuccessThreshold-1)*seconds(e.PeriodSeconds)
}

// FailureDetection is how long after a guest hangs the kubelet declares the
// probe failed (and, for liveness, ends the VM). Every probe sent after the
// hang runs into its timeout, so the failureThreshold-th failing probe
// completes (failureThreshold-1) periods plus one timeout after the first
// failing probe is sent. When that first probe goes out depends on where in
// the period the hang starts:
//
//	min = (failureThreshold-1) × periodSeconds + timeoutSeconds
//	      the hang starts just as a probe is sent
//	max = failureThreshold × periodSeconds + timeoutSeconds
//	      the hang starts just after a probe succeeded, so a whole period
//	      passes before the first failing probe
//
// A guest that refuses connections instead of hanging fails each probe
// at once, which removes the timeout from both bounds.
func (e Effective) FailureDetection() (min, max time.Duration) {
	period := seconds(e.PeriodSeconds)
	timeout := seconds(e.TimeoutSeconds)
	min = time.Duration(e.FailureThreshold-1)*period + timeout
	max = time.Duration(e.FailureThreshold)*period + timeout
	return min, max
}

// EarliestLivenessKill is the earliest time after the container starts at
// which a liveness probe can end the VM: the probe fails from its first run
// on, for example because the guest is still booting, so
//
//	initialDelaySeconds + (failureThreshold-1) × periodSeconds + timeoutSeconds
//
// With KubeVirt's defaults and no initialDelaySeconds that is
// 10 + 2×10 + 1 = 31 s. A guest that has not answered by then is killed
// and, with runStrategy Always, started again into the same race.
func (e Effective) EarliestLivenessKill() time.Duration {
	return seconds(e.InitialDelaySeconds) +
		time.Duration(e.FailureThreshold-1)*seconds(e.PeriodSeconds) +
		seconds(e.TimeoutSeconds)
}

func seconds(n int32) time.Duration {
	return time.Duration(n) * time.Second
}
