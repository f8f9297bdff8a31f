package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// threeProviders gives provider A a unit that scores 80 (one EXCEEDED at
// +30), B one at 60 (MET, +10) and C one at 10 (CRITICAL, −40) in the same
// one-hour epoch; the epoch's reward round then runs in the same block.
func threeProviders(t *testing.T, orch func(*orchtypes.Params)) *suite {
	s := newSuite(t, options{
		reputation:   func(p *types.Params) { p.DeltaMet, p.DeltaExceeded, p.DeltaMissed, p.DeltaCritical = 10, 30, -15, -40 },
		orchestrator: orch,
	})
	units := map[*sdk.AccAddress]oracleSummary{&s.provider: qosExceeded, &s.provider2: qosMet, &s.provider3: qosCritical}
	for addr, q := range units {
		s.registerProvider(*addr)
		s.qos.units[s.createUnit(*addr)] = q
	}
	return s
}

// Rewards by band, worked by hand (docs: 60–79 earns 5 % a year of the
// bond, 80+ 12 %; 20–39 pays 5 %, under 20 pays 12 %; an epoch is 1 h of a
// 365-day year):
//
//	A, 80, bond 1,000,000,000: 12 % × 1e9 × 3,600 / 31,536,000 = 13,698 paid
//	B, 60, bond 1,000,000,000:  5 % × 1e9 × 3,600 / 31,536,000 =  5,707 paid
//	C, 10, bond   900,000,000 (after its 10 % CRITICAL slash):
//	                           12 % × 9e8 × 3,600 / 31,536,000 = 12,328 taken
//
// The pool holds half of C's slash (50,000,000) plus the penalty, so both
// rewards are paid in full: 50,000,000 + 12,328 − 13,698 − 5,707 =
// 49,992,923 remain. Nothing is minted.
func TestRewardsAndPenaltiesByBand(t *testing.T) {
	s := threeProviders(t, nil)
	balA, balB, balC := s.balance(s.provider), s.balance(s.provider2), s.balance(s.provider3)
	supply := s.supply()
	epoch := s.epoch()

	require.Equal(t, uint32(80), s.providerScore(s.provider).Score.Overall)
	require.Equal(t, uint32(60), s.providerScore(s.provider2).Score.Overall)
	require.Equal(t, uint32(10), s.providerScore(s.provider3).Score.Overall)

	require.Equal(t, balA.AddRaw(13_698), s.balance(s.provider), "A's reward, to its account")
	require.Equal(t, balB.AddRaw(5_707), s.balance(s.provider2))
	require.Equal(t, balC, s.balance(s.provider3), "C is not paid")
	require.Equal(t, int64(bond), s.bondOf(s.provider).Int64(), "rewards leave the bond alone")
	require.Equal(t, int64(900_000_000-12_328), s.bondOf(s.provider3).Int64(), "C's bond paid the slash and the penalty")
	require.Equal(t, int64(49_992_923), s.pool().Int64())
	require.Equal(t, supply.SubRaw(50_000_000), s.supply(), "only the burned half of the slash left the supply")

	res, err := s.queries.RewardPool(s.ctx(), &types.QueryRewardPoolRequest{})
	require.NoError(t, err)
	require.Equal(t, epoch, res.Pool.LastEpoch)
	require.Equal(t, int64(19_405), res.Pool.LastDue.Int64())
	require.Equal(t, int64(19_405), res.Pool.LastPaid.Int64())
	require.Equal(t, int64(12_328), res.Pool.LastPenalties.Int64())
	require.Equal(t, int64(49_992_923), res.Pool.Balance.Int64())
	require.Equal(t, "uflash", res.Pool.Denom)

	// C climbs 10 → 20 → 30 → 40 with MET epochs: −12 %, then −5 % twice
	// (20–39), then nothing (40–59 is no band).
	for i, want := range []int64{
		// 5 % × 899,987,672 × 3,600 / 31,536,000 = 5,136 (at 20)
		5_136,
		// 5 % × 899,982,536 × 3,600 / 31,536,000 = 5,136 (at 30)
		5_136,
		0,
	} {
		before := s.bondOf(s.provider3)
		s.epochs(1, s.unitOf(s.provider3), qosMet)
		require.Equal(t, before.SubRaw(want), s.bondOf(s.provider3), "epoch %d", i)
	}
	require.Equal(t, uint32(40), s.providerScore(s.provider3).Score.Overall)
}

// A short pool pays every reward in proportion, never mints: with no slash
// or fee share the pool holds only C's 12,328 penalty against 19,405 owed,
// so A gets ⌊13,698 × 12,328 / 19,405⌋ = 8,702 and B ⌊5,707 × 12,328 /
// 19,405⌋ = 3,625; 1 uflash of rounding stays in the pool.
func TestRewardsScaledDownWhenPoolIsShort(t *testing.T) {
	s := threeProviders(t, func(p *orchtypes.Params) {
		p.SlashPoolShare, p.PlatformFeePoolShare = sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec()
	})
	balA, balB := s.balance(s.provider), s.balance(s.provider2)
	supply := s.supply()
	s.epoch()

	require.Equal(t, balA.AddRaw(8_702), s.balance(s.provider))
	require.Equal(t, balB.AddRaw(3_625), s.balance(s.provider2))
	require.Equal(t, int64(1), s.pool().Int64())
	require.Equal(t, supply.SubRaw(100_000_000), s.supply(), "the whole slash was burned; no reward was minted")
	res, err := s.queries.RewardPool(s.ctx(), &types.QueryRewardPoolRequest{})
	require.NoError(t, err)
	require.Equal(t, int64(19_405), res.Pool.LastDue.Int64())
	require.Equal(t, int64(12_327), res.Pool.LastPaid.Int64())
}

func TestScaleReward(t *testing.T) {
	i := sdkmath.NewInt
	require.Equal(t, i(100), keeper.ScaleReward(i(100), i(1_000), i(500)), "a full pool pays in full")
	require.Equal(t, i(100), keeper.ScaleReward(i(100), i(500), i(500)))
	require.Equal(t, i(50), keeper.ScaleReward(i(100), i(250), i(500)))
	require.Equal(t, i(33), keeper.ScaleReward(i(100), i(1), i(3)))
	require.Equal(t, i(0), keeper.ScaleReward(i(100), i(0), i(500)), "an empty pool pays nothing")
	require.Equal(t, i(0), keeper.ScaleReward(i(0), i(0), i(0)))
}
