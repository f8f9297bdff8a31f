package keeper

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/blockwork"
	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Rewards and penalties run once per epoch of reward_epoch_identifier. When
// the epoch ends, the hook queues a round; the end blocker advances it, at
// most max_work_per_block providers per block, and only in blocks in which
// x/orchestrator reported its SLA rounds settled (AfterSlaRoundsSettled: the
// epoch's verdicts are in the scores):
//
//   - phase 0 walks the providers with a score: a provider in a paying band
//     is owed rate × bond × epoch length / 365 days (recorded, not paid); a
//     provider in a penalty band pays that much from its bond into the pool
//     at once;
//   - phase 1 pays what is owed, scaled by min(1, pool / total owed) with the
//     pool as it was when phase 1 began: a short pool reduces every reward in
//     proportion, and nothing is ever minted.

// yearSeconds is the year of the yearly rates: 365 days.
const yearSeconds = 365 * 24 * 60 * 60

// EpochHooks returns the x/epochs hooks of the module.
func (k Keeper) EpochHooks() epochstypes.EpochHooks { return epochHooks{k} }

type epochHooks struct{ k Keeper }

// AfterEpochEnd queues the reward round of an ended reward epoch.
func (h epochHooks) AfterEpochEnd(ctx context.Context, identifier string, epochNumber int64) error {
	k := h.k
	params, err := k.Params.Get(ctx)
	if err != nil || identifier != params.RewardEpochIdentifier {
		return err
	}
	info, err := k.epochs.GetEpochInfo(sdk.UnwrapSDKContext(ctx), identifier)
	if err != nil {
		return err
	}
	zero := sdkmath.ZeroInt()
	return k.RewardRounds.Set(ctx, epochNumber, types.RewardRound{
		Epoch: epochNumber, EpochSecs: int64(info.Duration / time.Second),
		TotalDue: zero, PoolAtPayout: zero, Paid: zero, Penalties: zero,
	})
}

// BeforeEpochStart does nothing.
func (epochHooks) BeforeEpochStart(context.Context, string, int64) error { return nil }

// ProcessRewards advances the pending reward rounds, oldest first, by at
// most budget providers in all, and returns the budget used.
func (k Keeper) ProcessRewards(ctx context.Context, params types.Params, budget int) (int, error) {
	total := 0
	for budget > 0 {
		round, ok, err := k.oldestRound(ctx)
		if err != nil || !ok {
			return total, err
		}
		if settled, err := k.slaRoundsSettled(ctx); err != nil || !settled {
			return total, err
		}
		phase := round.Phase
		var used int
		if phase == 0 {
			used, err = k.assessProviders(ctx, params, &round, budget)
		} else {
			used, err = k.payRewards(ctx, &round, budget)
		}
		if err != nil {
			return total, err
		}
		budget -= used
		total += used
		if round.Phase == 2 {
			if err := k.finishRound(ctx, round); err != nil {
				return total, err
			}
			continue
		}
		if err := k.RewardRounds.Set(ctx, round.Epoch, round); err != nil {
			return total, err
		}
		if round.Phase == phase {
			break // out of budget mid-phase
		}
	}
	return total, nil
}

func (k Keeper) oldestRound(ctx context.Context) (types.RewardRound, bool, error) {
	iter, err := k.RewardRounds.Iterate(ctx, nil)
	if err != nil {
		return types.RewardRound{}, false, err
	}
	defer iter.Close()
	if !iter.Valid() {
		return types.RewardRound{}, false, nil
	}
	r, err := iter.Value()
	return r, err == nil, err
}

// assessProviders is phase 0: the next `budget` providers after the cursor.
func (k Keeper) assessProviders(ctx context.Context, params types.Params, round *types.RewardRound, budget int) (int, error) {
	rng := new(collections.Range[sdk.AccAddress])
	if round.Cursor != "" {
		cursor, err := k.accAddress(round.Cursor)
		if err != nil {
			return 0, err
		}
		rng = rng.StartExclusive(cursor)
	}
	providers, err := blockwork.FirstKeys(ctx, k.ProviderScores.Iterate, rng, budget)
	if err != nil {
		return 0, err
	}
	for _, addr := range providers {
		due, penalty := sdkmath.ZeroInt(), sdkmath.ZeroInt()
		k.runIsolated(ctx, addr.String(), round.Epoch, func(c context.Context) (err error) {
			due, penalty, err = k.assessProvider(c, params, *round, addr)
			return err
		})
		if due.IsPositive() {
			round.TotalDue = round.TotalDue.Add(due)
		}
		if penalty.IsPositive() {
			round.Penalties = round.Penalties.Add(penalty)
		}
		round.Cursor = addr.String()
	}
	if len(providers) < budget {
		pool, err := k.Pool.Get(ctx)
		if err != nil {
			return 0, err
		}
		round.Phase, round.Cursor, round.PoolAtPayout = 1, "", pool
	}
	return len(providers), nil
}

// assessProvider records a provider's reward, or takes its penalty.
func (k Keeper) assessProvider(ctx context.Context, params types.Params, round types.RewardRound, addr sdk.AccAddress) (due, penalty sdkmath.Int, err error) {
	zero := sdkmath.ZeroInt()
	ps, err := k.ProviderScores.Get(ctx, addr)
	if err != nil || ps.UnitsScored == 0 {
		return zero, zero, err // no verdict yet: neither reward nor penalty
	}
	rate := params.BandFor(ps.Overall)
	if rate.IsZero() {
		return zero, zero, nil
	}
	bond, ok, err := k.orchestrator.ProviderBond(ctx, ps.Provider)
	if err != nil || !ok || !bond.IsPositive() {
		return zero, zero, err
	}
	amount := rate.Abs().MulInt(bond).MulInt64(round.EpochSecs).QuoInt64(yearSeconds).TruncateInt()
	if !amount.IsPositive() {
		return zero, zero, nil
	}
	if rate.IsPositive() {
		owed, err := k.PendingRewards.Get(ctx, addr)
		if errors.Is(err, collections.ErrNotFound) {
			owed = zero
		} else if err != nil {
			return zero, zero, err
		}
		return amount, zero, k.PendingRewards.Set(ctx, addr, owed.Add(amount))
	}
	taken, err := k.orchestrator.TakeScorePenalty(ctx, ps.Provider, amount, types.ModuleName)
	if err != nil || !taken.IsPositive() {
		return zero, zero, err
	}
	if err := k.addPool(ctx, taken); err != nil {
		return zero, zero, err
	}
	denom, err := k.orchestrator.MarketDenom(ctx)
	if err != nil {
		return zero, zero, err
	}
	return zero, taken, typedevent.Emit(ctx, &types.EventReputationPenalty{Provider: ps.Provider, Epoch: round.Epoch, Amount: sdk.NewCoin(denom, taken)})
}

// payRewards is phase 1: pays the next `budget` pending rewards.
func (k Keeper) payRewards(ctx context.Context, round *types.RewardRound, budget int) (int, error) {
	pending, err := blockwork.FirstKeys(ctx, k.PendingRewards.Iterate, nil, budget)
	if err != nil {
		return 0, err
	}
	denom, err := k.orchestrator.MarketDenom(ctx)
	if err != nil {
		return 0, err
	}
	for _, addr := range pending {
		due, err := k.PendingRewards.Get(ctx, addr)
		if err != nil {
			return 0, err
		}
		if err := k.PendingRewards.Remove(ctx, addr); err != nil {
			return 0, err
		}
		pool, err := k.Pool.Get(ctx)
		if err != nil {
			return 0, err
		}
		// Restitution may have spent from the pool since phase 1 began.
		paid := sdkmath.MinInt(ScaleReward(due, round.PoolAtPayout, round.TotalDue), pool)
		if !paid.IsPositive() {
			continue
		}
		ok := k.runIsolated(ctx, addr.String(), round.Epoch, func(c context.Context) error {
			if err := k.payFromPool(c, addr.String(), paid); err != nil {
				return err
			}
			return typedevent.Emit(c, &types.EventReputationReward{
				Provider: addr.String(), Epoch: round.Epoch, Due: sdk.NewCoin(denom, due), Paid: sdk.NewCoin(denom, paid),
			})
		})
		if ok {
			round.Paid = round.Paid.Add(paid)
		}
	}
	if len(pending) < budget {
		round.Phase = 2
	}
	return len(pending), nil
}

// ScaleReward is a reward scaled to the pool: due × min(1, pool / total),
// truncated, so the rewards paid never add up to more than the pool.
func ScaleReward(due, pool, total sdkmath.Int) sdkmath.Int {
	if !total.IsPositive() || pool.GTE(total) {
		return due
	}
	if !pool.IsPositive() {
		return sdkmath.ZeroInt()
	}
	return due.Mul(pool).Quo(total)
}

// finishRound records the round's summary and forgets it.
func (k Keeper) finishRound(ctx context.Context, round types.RewardRound) error {
	pool, err := k.Pool.Get(ctx)
	if err != nil {
		return err
	}
	denom, err := k.orchestrator.MarketDenom(ctx)
	if err != nil {
		return err
	}
	summary := types.RewardPoolInfo{
		Balance: pool, Denom: denom, LastEpoch: round.Epoch,
		LastPaid: round.Paid, LastDue: round.TotalDue, LastPenalties: round.Penalties,
	}
	if err := k.LastRound.Set(ctx, summary); err != nil {
		return err
	}
	if err := k.RewardRounds.Remove(ctx, round.Epoch); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventRewardRoundFinished{Summary: summary})
}

// runIsolated runs f in a cached context and keeps its writes and events
// only if it succeeds: one provider's failure (or panic) never halts the
// chain or half-applies; it is skipped with an event saying why.
func (k Keeper) runIsolated(ctx context.Context, provider string, epoch int64, f func(context.Context) error) bool {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	err := blockwork.Run(sdkCtx, func(c sdk.Context) error { return f(c) })
	if err == nil {
		return true
	}
	k.Logger(ctx).Error("reward item failed; skipped", "provider", provider, "epoch", epoch, "err", err)
	_ = typedevent.Emit(sdkCtx, &types.EventRewardFailed{Provider: provider, Epoch: epoch, Error: err.Error()})
	return false
}
