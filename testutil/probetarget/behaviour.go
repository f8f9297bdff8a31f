package probetarget

import "time"

// Behaviour configures how the server answers probe requests.
type Behaviour struct {
	// Latency is the delay before the first response byte of every request.
	Latency time.Duration
	// ThroughputKBps, when > 0, paces download response bodies and the
	// reading of upload request bodies at this many kilobytes (1000 bytes)
	// per second.
	ThroughputKBps int64
	// FailureRate is the share of probe requests answered with 500, in basis
	// points (0..10000; larger values are treated as 10000). The pattern is
	// deterministic, see failurePattern, and counts the requests of all
	// clients together: clients whose requests interleave in a fixed cycle
	// each see the same share only if the pattern's period does not divide
	// by the cycle's length. 5000 (every second request) gives one of two
	// (or four) probers in lockstep all the failures and the other none;
	// 4000 (two of every five) gives each of up to four probers 40 %.
	FailureRate uint32
	// Down answers every request with 503.
	Down bool
}

// maxFailureRate is 100% in basis points.
const maxFailureRate = 10000

// normalized clamps out-of-range values so that the server never has to
// reason about them: negative durations and rates mean "none".
func (b Behaviour) normalized() Behaviour {
	if b.Latency < 0 {
		b.Latency = 0
	}
	if b.ThroughputKBps < 0 {
		b.ThroughputKBps = 0
	}
	if b.FailureRate > maxFailureRate {
		b.FailureRate = maxFailureRate
	}
	return b
}
