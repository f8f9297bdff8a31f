package types_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

func report(validator byte, power int64, latency uint32, uptime uint32) types.Report {
	return types.Report{
		Validator: []byte{validator}, Power: power,
		Measurement: types.Measurement{UnitId: 1, LatencyMs: latency, DownloadKbps: uint64(latency) * 10, UploadKbps: uint64(latency) * 5, UptimeBps: uptime},
	}
}

func TestWeightedLowerMedian(t *testing.T) {
	// Powers 10, 20, 30, 40: the value where cumulative power first reaches
	// half of 100 is the third one.
	a := types.AggregateUnit(1, []types.Report{
		report(1, 10, 100, 9000), report(2, 20, 200, 9500), report(3, 30, 300, 9900), report(4, 40, 400, 10000),
	})
	require.Equal(t, uint32(300), a.LatencyMs)
	require.Equal(t, uint32(9900), a.UptimeBps)
	require.Equal(t, int64(100), a.ReportingPower)
	require.Equal(t, uint32(4), a.Reporters)

	// Exactly half at the lower value: the lower median takes it.
	a = types.AggregateUnit(1, []types.Report{report(1, 50, 10, 0), report(2, 50, 90, 0)})
	require.Equal(t, uint32(10), a.LatencyMs)

	// A single heavy validator decides alone when it holds half.
	a = types.AggregateUnit(1, []types.Report{report(1, 1, 10, 0), report(2, 1, 20, 0), report(3, 2, 500, 0)})
	require.Equal(t, uint32(20), a.LatencyMs)

	// No reports, no powers: nothing agreed.
	a = types.AggregateUnit(1, []types.Report{report(1, 0, 10, 0)})
	require.Zero(t, a.Reporters)
	require.Zero(t, a.ReportingPower)
}

func TestQuorumThreshold(t *testing.T) {
	require.True(t, types.HasQuorum(2, 3), "exactly 2/3")
	require.False(t, types.HasQuorum(199, 300), "just below 2/3")
	require.True(t, types.HasQuorum(200, 300))
	require.False(t, types.HasQuorum(0, 0))
	// No overflow at CometBFT's maximum total power.
	maxTotal := int64(math.MaxInt64 / 8)
	require.True(t, types.HasQuorum(maxTotal, maxTotal))
	require.False(t, types.HasQuorum(maxTotal/2, maxTotal))
}

// TestAggregationIsPermutationInvariant: the agreed values depend only on
// the set of reports, not on their order. Values come from a small range
// half of the time, so that equal values, which the median's sort leaves in
// any order, are common.
func TestAggregationIsPermutationInvariant(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(rt, "n")
		u32 := rapid.OneOf(rapid.Uint32Range(0, 3), rapid.Uint32())
		u64 := rapid.OneOf(rapid.Uint64Range(0, 3), rapid.Uint64())
		bps := rapid.OneOf(rapid.Uint32Range(9_998, 10_000), rapid.Uint32Range(0, 10_000))
		reports := make([]types.Report, n)
		for i := range reports {
			reports[i] = types.Report{
				Validator: []byte{byte(i), byte(i >> 8)},
				Power:     rapid.Int64Range(1, 1_000_000).Draw(rt, "power"),
				Measurement: types.Measurement{
					UnitId:       7,
					LatencyMs:    u32.Draw(rt, "latency"),
					DownloadKbps: u64.Draw(rt, "down"),
					UploadKbps:   u64.Draw(rt, "up"),
					UptimeBps:    bps.Draw(rt, "uptime"),
					ErrorRateBps: bps.Draw(rt, "errors"),
				},
			}
		}
		want := types.AggregateUnit(7, reports)
		shuffled := append([]types.Report(nil), reports...)
		rand.New(rand.NewSource(rapid.Int64().Draw(rt, "seed"))).Shuffle(len(shuffled), func(i, j int) {
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		})
		got := types.AggregateUnit(7, shuffled)
		require.Equal(rt, want, got)
		// The agreed value is one of the reported values.
		found := false
		for _, r := range reports {
			if r.LatencyMs == want.LatencyMs {
				found = true
			}
		}
		require.True(rt, found)
	})
}

// TestAggregationResistsAMinorityOfOutliers: validators holding less than
// half of the reporting power cannot move the median outside the honest
// range, whatever extreme values they report.
func TestAggregationResistsAMinorityOfOutliers(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		honest := rapid.IntRange(3, 20).Draw(rt, "honest")
		var reports []types.Report
		var honestPower int64
		minLat, maxLat := uint32(math.MaxUint32), uint32(0)
		for i := 0; i < honest; i++ {
			lat := rapid.Uint32Range(40, 60).Draw(rt, "honest_latency")
			p := rapid.Int64Range(1, 100).Draw(rt, "honest_power")
			honestPower += p
			minLat, maxLat = min(minLat, lat), max(maxLat, lat)
			reports = append(reports, report(byte(i), p, lat, 10_000))
		}
		// Outliers together hold strictly less than the honest power.
		budget := honestPower - 1
		for i := 0; budget > 0 && i < 10; i++ {
			p := rapid.Int64Range(1, budget).Draw(rt, "outlier_power")
			budget -= p
			extreme := uint32(0)
			if rapid.Bool().Draw(rt, "high") {
				extreme = math.MaxUint32
			}
			reports = append(reports, report(byte(100+i), p, extreme, 0))
		}
		a := types.AggregateUnit(1, reports)
		require.GreaterOrEqual(rt, a.LatencyMs, minLat)
		require.LessOrEqual(rt, a.LatencyMs, maxLat)
	})
}

func TestIsOutlier(t *testing.T) {
	agreed := types.Measurement{LatencyMs: 100, DownloadKbps: 1000, UploadKbps: 1000, UptimeBps: 9900, ErrorRateBps: 10}
	same := agreed
	require.False(t, types.IsOutlier(same, agreed, 5000, 2000))
	slow := agreed
	slow.LatencyMs = 151
	require.True(t, types.IsOutlier(slow, agreed, 5000, 2000), "51 % slower")
	slow.LatencyMs = 150
	require.False(t, types.IsOutlier(slow, agreed, 5000, 2000), "exactly 50 %")
	down := agreed
	down.UptimeBps = 7800
	require.True(t, types.IsOutlier(down, agreed, 5000, 2000), "21 points of uptime")
	huge := agreed
	huge.DownloadKbps = math.MaxUint64
	require.True(t, types.IsOutlier(huge, agreed, 5000, 2000), "no overflow on huge values")
	zero := types.Measurement{}
	require.False(t, types.IsOutlier(zero, zero, 5000, 2000))
}
