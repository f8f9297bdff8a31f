package types_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// EvaluateSla against the SLA of the examples (100 ms, 80,000 / 160,000
// kbps, 99.90 % uptime, 0.10 % errors) with the default critical downtime
// (1 h a day) and exceed margin (20 %).
func TestEvaluateSla(t *testing.T) {
	sla := types.Sla{MaxLatencyMs: 100, MinUploadKbps: 80_000, MinDownloadKbps: 160_000, MinUptimeBps: 9_990, MaxErrorRateBps: 10}
	met := types.AgreedQoS{Records: 10, LatencyMs: 90, UploadKbps: 85_000, DownloadKbps: 170_000, UptimeBps: 9_992, ErrorRateBps: 9}
	with := func(f func(*types.AgreedQoS)) types.AgreedQoS { q := met; f(&q); return q }
	cases := []struct {
		name string
		qos  types.AgreedQoS
		want types.SlaVerdict
	}{
		{"no records", types.AgreedQoS{UptimeBps: 0}, types.SLA_VERDICT_UNKNOWN},
		{"every metric within its bound", met, types.SLA_VERDICT_MET},
		{"every metric 20 % better", types.AgreedQoS{Records: 1, LatencyMs: 80, UploadKbps: 96_000, DownloadKbps: 192_000, UptimeBps: 9_992, ErrorRateBps: 8}, types.SLA_VERDICT_EXCEEDED},
		{"one metric short of 20 % better", types.AgreedQoS{Records: 1, LatencyMs: 81, UploadKbps: 96_000, DownloadKbps: 192_000, UptimeBps: 9_992, ErrorRateBps: 8}, types.SLA_VERDICT_MET},
		{"latency over", with(func(q *types.AgreedQoS) { q.LatencyMs = 101 }), types.SLA_VERDICT_MISSED},
		{"upload under", with(func(q *types.AgreedQoS) { q.UploadKbps = 79_999 }), types.SLA_VERDICT_MISSED},
		{"download under", with(func(q *types.AgreedQoS) { q.DownloadKbps = 159_999 }), types.SLA_VERDICT_MISSED},
		{"uptime under", with(func(q *types.AgreedQoS) { q.UptimeBps = 9_989 }), types.SLA_VERDICT_MISSED},
		{"error rate over", with(func(q *types.AgreedQoS) { q.ErrorRateBps = 11 }), types.SLA_VERDICT_MISSED},
		// 1 h a day is 416.67 bps of downtime: 9,583 bps of uptime is
		// 1 h 0 min 2.88 s down (critical), 9,584 is 59 min 54 s (not).
		{"uptime 9,583 bps: just over 1 h down a day", with(func(q *types.AgreedQoS) { q.UptimeBps = 9_583 }), types.SLA_VERDICT_CRITICAL},
		{"uptime 9,584 bps: just under 1 h down a day", with(func(q *types.AgreedQoS) { q.UptimeBps = 9_584 }), types.SLA_VERDICT_MISSED},
		{"critical beats every other metric", with(func(q *types.AgreedQoS) { q.UptimeBps = 0; q.LatencyMs = 10 }), types.SLA_VERDICT_CRITICAL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, types.EvaluateSla(sla, tc.qos, time.Hour, 2_000))
		})
	}
}

// CriticalDowntime compares (10000 − uptime) × 1 day > 10000 × allowed
// exactly, for allowances that are not whole basis points of a day.
func TestCriticalDowntimeIsExact(t *testing.T) {
	for _, tc := range []struct {
		allowed               time.Duration
		lastCritical, firstOK uint32
	}{
		{time.Hour, 9_583, 9_584},           // 416.67 bps allowed
		{30 * time.Minute, 9_791, 9_792},    // 208.33 bps
		{8_640 * time.Second, 8_999, 9_000}, // exactly 1,000 bps: 1,000 is not more than allowed
		{time.Second, 9_999, 10_000},        // any downtime at all
		{23*time.Hour + 59*time.Minute, 6, 7},
	} {
		require.True(t, types.CriticalDowntime(tc.lastCritical, tc.allowed), "%s at %d bps", tc.allowed, tc.lastCritical)
		require.False(t, types.CriticalDowntime(tc.firstOK, tc.allowed), "%s at %d bps", tc.allowed, tc.firstOK)
	}
	require.False(t, types.CriticalDowntime(10_000, time.Nanosecond), "no downtime is never critical")
	require.True(t, types.CriticalDowntime(0, 23*time.Hour+59*time.Minute+59*time.Second), "a whole day down")
	require.False(t, types.CriticalDowntime(math.MaxUint32, time.Hour), "uptime above 100 % reads as no downtime")
}

func TestTightenSla(t *testing.T) {
	offer := types.Sla{MaxLatencyMs: 30, MinUploadKbps: 1_000, MinDownloadKbps: 500_000, MinUptimeBps: 9_000, MaxErrorRateBps: 0}
	ref := types.Sla{MaxLatencyMs: 50, MinUploadKbps: 80_000, MinDownloadKbps: 160_000, MinUptimeBps: 9_995, MaxErrorRateBps: 1}
	want := types.Sla{MaxLatencyMs: 30, MinUploadKbps: 80_000, MinDownloadKbps: 500_000, MinUptimeBps: 9_995, MaxErrorRateBps: 0}
	require.Equal(t, want, types.TightenSla(offer, ref))
	require.Equal(t, want, types.TightenSla(ref, offer), "symmetric")
	trivial := types.Sla{MaxLatencyMs: math.MaxUint32, MaxErrorRateBps: 10_000}
	require.Equal(t, ref, types.TightenSla(trivial, ref), "a trivial offer is graded against the reference")
}

func TestWorseVerdict(t *testing.T) {
	order := []types.SlaVerdict{
		types.SLA_VERDICT_UNKNOWN, types.SLA_VERDICT_EXCEEDED, types.SLA_VERDICT_MET,
		types.SLA_VERDICT_MISSED, types.SLA_VERDICT_CRITICAL,
	}
	for i, a := range order {
		for j, b := range order {
			want := a
			if j > i {
				want = b
			}
			require.Equal(t, want, types.WorseVerdict(a, b), "%s vs %s", a, b)
		}
	}
}

// A stricter SLA never gives a better verdict: the argument of the README
// that no offer, however loose, earns more than meeting the reference.
// Random SLAs and QoS around the bounds, from a fixed seed.
func TestStricterSlaNeverBetter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(values ...uint64) uint64 { return values[rng.IntN(len(values))] }
	randomSla := func() types.Sla {
		return types.Sla{
			MaxLatencyMs:    uint32(pick(1, 40, 50, 80, 100, 1_000, math.MaxUint32)),
			MinUploadKbps:   pick(0, 80_000, 96_000, 100_000),
			MinDownloadKbps: pick(0, 160_000, 192_000, 200_000),
			MinUptimeBps:    uint32(pick(0, 9_000, 9_990, 9_995, 10_000)),
			MaxErrorRateBps: uint32(pick(0, 1, 8, 10, 10_000)),
		}
	}
	for i := range 20_000 {
		offer, ref := randomSla(), randomSla()
		q := types.AgreedQoS{
			Records: pick(0, 1, 1, 1), LatencyMs: uint32(pick(1, 30, 40, 45, 50, 80, 100, 150)),
			UploadKbps: pick(0, 80_000, 96_000, 120_000), DownloadKbps: pick(0, 160_000, 192_000, 250_000),
			UptimeBps: uint32(pick(9_000, 9_583, 9_584, 9_990, 9_992, 9_995, 9_996, 10_000)), ErrorRateBps: uint32(pick(0, 1, 8, 9, 10, 11)),
		}
		loose := types.EvaluateSla(offer, q, time.Hour, 2_000)
		strict := types.EvaluateSla(types.TightenSla(offer, ref), q, time.Hour, 2_000)
		require.Equal(t, strict, types.WorseVerdict(strict, loose), "case %d: %v tightened to %v on %v: %s, then %s", i, offer, ref, q, loose, strict)
	}
}
