package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

func TestApplyDeltaClamps(t *testing.T) {
	require.Equal(t, uint32(52), types.ApplyDelta(50, 2))
	require.Equal(t, uint32(100), types.ApplyDelta(99, 2))
	require.Equal(t, uint32(0), types.ApplyDelta(1, -2))
	require.Equal(t, uint32(0), types.ApplyDelta(0, -100))
	require.Equal(t, uint32(100), types.ApplyDelta(100, 100))
}

func TestDecayToward(t *testing.T) {
	require.Equal(t, uint32(59), types.DecayToward(60, 50, 1))
	require.Equal(t, uint32(41), types.DecayToward(40, 50, 1))
	require.Equal(t, uint32(50), types.DecayToward(53, 50, 10), "never past the baseline")
	require.Equal(t, uint32(50), types.DecayToward(47, 50, 10))
	require.Equal(t, uint32(50), types.DecayToward(50, 50, 1))
}

func TestVerdictDeltas(t *testing.T) {
	p := types.DefaultParams()
	for v, want := range map[orchtypes.SlaVerdict]int32{
		orchtypes.SLA_VERDICT_MET: 1, orchtypes.SLA_VERDICT_EXCEEDED: 2, orchtypes.SLA_VERDICT_MISSED: -1,
		orchtypes.SLA_VERDICT_CRITICAL: -2, orchtypes.SLA_VERDICT_UNKNOWN: 0,
	} {
		require.Equal(t, want, p.Delta(v), v.String())
	}
}

// Stars map to the 0–100 scale as stars × 20: 1★ = 20 … 5★ = 100.
func TestCommunityAccumulator(t *testing.T) {
	one, two := sdkmath.LegacyOneDec(), sdkmath.LegacyNewDec(2)
	a := types.NewCommunityAccumulator()
	require.Equal(t, uint32(0), a.Score(two), "no ratings: 0")
	a.Add(5, one, true)
	require.Equal(t, uint32(100), a.Score(two))
	a.Add(1, one, false)
	// (2 × 5 + 1) / (2 + 1) × 20 = 73.3 → 73
	require.Equal(t, uint32(73), a.Score(two))
	a.Age(5, one)
	// (5 + 1) / 2 × 20 = 60
	require.Equal(t, uint32(60), a.Score(two))
	a.Remove(1, one, false)
	require.Equal(t, uint32(100), a.Score(two))
	require.Equal(t, uint64(1), a.Count)
	a.Remove(5, one, false)
	require.Equal(t, uint32(0), a.Score(two))
	require.Equal(t, uint64(0), a.Count)
}

func TestOverall(t *testing.T) {
	p := types.DefaultParams()
	require.Equal(t, uint32(60), p.Overall(60, 88, false), "not public: the objective alone")
	require.Equal(t, uint32(68), p.Overall(60, 88, true), "0.7 × 60 + 0.3 × 88 = 68.4")
	require.Equal(t, uint32(100), p.Overall(100, 100, true))
	require.Equal(t, uint32(0), p.Overall(0, 0, true))
	require.Equal(t, uint32(35), p.Overall(50, 0, true))
}

func TestBands(t *testing.T) {
	p := types.DefaultParams()
	for score, want := range map[uint32]string{
		0: "-0.12", 19: "-0.12", 20: "-0.05", 39: "-0.05", 40: "0", 59: "0", 60: "0.05", 79: "0.05", 80: "0.12", 100: "0.12",
	} {
		require.True(t, sdkmath.LegacyMustNewDecFromStr(want).Equal(p.BandFor(score)), "score %d", score)
	}
	dec := sdkmath.LegacyMustNewDecFromStr
	require.ErrorContains(t, types.ValidateBands([]types.RewardBand{{MinScore: 0, MaxScore: 50, Rate: dec("0.1")}, {MinScore: 50, MaxScore: 60, Rate: dec("0.1")}}), "overlap")
	require.ErrorContains(t, types.ValidateBands([]types.RewardBand{{MinScore: 60, MaxScore: 50, Rate: dec("0.1")}}), "min <= max")
	require.ErrorContains(t, types.ValidateBands([]types.RewardBand{{MinScore: 0, MaxScore: 101, Rate: dec("0.1")}}), "min <= max")
	require.ErrorContains(t, types.ValidateBands([]types.RewardBand{{MinScore: 0, MaxScore: 10, Rate: dec("1.5")}}), "rate")
	require.NoError(t, types.ValidateBands(nil), "no bands: no rewards")
}
