// Package simulation drives x/reputation in the SDK's simulation (simsx): a
// random genesis, ratings, disputes and their resolution, pool funding, and
// parameter changes through governance.
package simulation

import (
	"fmt"
	"math/rand"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	orchsim "github.com/flashbacknetwork/flashbackd/x/orchestrator/simulation"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// RewardEpoch is the x/epochs epoch the simulated genesis adds for reward
// rounds.
const RewardEpoch = "flashback-reward"

const day = 24 * time.Hour

// RandomParams returns valid params. Windows are short next to the
// defaults so that ratings age, disputes close and scores decay in a run
// of a few hundred 1.4–2.8 h blocks.
func RandomParams(r *rand.Rand, arbiter, epoch string) types.Params {
	p := types.DefaultParams()
	p.BaselineScore = uint32(r.Intn(101))
	obj := int64(r.Intn(101))
	p.ObjectiveWeight = sdkmath.LegacyNewDecWithPrec(obj, 2)
	p.CommunityWeight = sdkmath.LegacyOneDec().Sub(p.ObjectiveWeight)
	p.MinPublicRatings = uint32(1 + r.Intn(10))
	p.DeltaMet = int32(r.Intn(4))
	p.DeltaExceeded = p.DeltaMet + int32(r.Intn(4))
	p.DeltaMissed = -int32(r.Intn(4))
	p.DeltaCritical = p.DeltaMissed - int32(r.Intn(10))
	p.DecayPeriod = simutil.DurationBetween(r, time.Hour, 10*day)
	p.DecayPoints = uint32(r.Intn(5))
	p.RecentRatingWindow = simutil.DurationBetween(r, time.Hour, 10*day)
	p.RecentRatingWeight = sdkmath.LegacyNewDecWithPrec(int64(100+r.Intn(400)), 2)
	p.VerifiedRatingWeight = sdkmath.LegacyNewDecWithPrec(int64(100+r.Intn(400)), 2)
	p.MaxCommentLength = uint32(1 + r.Intn(300))
	p.MinRatingPayment = sdkmath.NewInt(1 + r.Int63n(1_000_000))
	p.RatingPaymentCap = p.MinRatingPayment.Mul(sdkmath.NewInt(1 + r.Int63n(1000)))
	p.RewardEpochIdentifier = epoch
	p.DisputeWindow = simutil.DurationBetween(r, time.Hour, 7*day)
	p.Arbiter = arbiter
	p.HistoryEpochs = uint32(1 + r.Intn(50))
	p.BadgeCompliancePeriod = simutil.DurationBetween(r, time.Hour, 30*day)
	p.TopPerformerScore = uint32(r.Intn(101))
	p.MaxWorkPerBlock = uint32(1 + r.Intn(50))
	if r.Intn(2) == 0 {
		// Bands with the largest rates the params allow, to stress the pool.
		p.RewardBands = []types.RewardBand{
			{MinScore: 0, MaxScore: 29, Rate: sdkmath.LegacyNewDecWithPrec(-int64(r.Intn(101)), 2)},
			{MinScore: 70, MaxScore: 100, Rate: sdkmath.LegacyNewDecWithPrec(int64(r.Intn(101)), 2)},
		}
	}
	if err := p.Validate(); err != nil {
		panic(fmt.Errorf("random reputation params are invalid: %w", err))
	}
	return p
}

// RandomizedGenState writes random params, a reward epoch in x/epochs'
// genesis and a funded reward pool (its coins in x/bank's genesis).
func RandomizedGenState(simState *module.SimulationState) {
	r := simState.Rand
	arbiter := ""
	if r.Intn(3) > 0 {
		arbiter = simState.Accounts[r.Intn(len(simState.Accounts))].Address.String()
	}
	orchsim.AddEpoch(simState, RewardEpoch, simutil.DurationBetween(r, 3*time.Hour, 2*day))
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(r, arbiter, RewardEpoch)
	gs.Pool = sdkmath.NewInt(r.Int63n(1_000_000_000_000))
	if err := gs.Validate(); err != nil {
		panic(fmt.Errorf("random reputation genesis is invalid: %w", err))
	}
	// The pool is in the market denom, the bond denom in simulations.
	orchsim.FundModuleAccount(simState, types.ModuleName, sdk.NewCoin(simState.BondDenom, gs.Pool))
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
