package keeper

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// AfterUnitVerdict applies a unit's epoch verdict (x/orchestrator calls it
// for every live unit once per SLA epoch): a verdict with QoS data moves the
// unit's score by its delta within [0, 100]; UNKNOWN (no data) moves it by
// decay_points toward the baseline once decay_period has passed without
// data, and again every further period. The provider's objective score (the
// mean of its scored units), overall score, leaderboard entry, compliance run
// and history follow. It returns the unit's score before and after, which
// x/orchestrator records on the unit.
func (k Keeper) AfterUnitVerdict(ctx context.Context, v orchtypes.UnitVerdict) (before, after uint32, err error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, 0, err
	}
	now := v.Time
	us, err := k.UnitScores.Get(ctx, v.UnitId)
	isNew := errors.Is(err, collections.ErrNotFound)
	if err != nil && !isNew {
		return 0, 0, err
	}
	if isNew {
		us = types.UnitScore{UnitId: v.UnitId, Provider: v.Provider, Score: params.BaselineScore, LastDataAt: now}
	}
	before = us.Score
	wasScored := us.Verdicts > 0
	cause := "verdict:" + v.Verdict.String()

	if v.Verdict == orchtypes.SLA_VERDICT_UNKNOWN {
		last := us.LastDataAt
		if us.LastDecayAt != nil && us.LastDecayAt.After(last) {
			last = *us.LastDecayAt
		}
		if !now.Before(last.Add(params.DecayPeriod)) {
			us.Score = types.DecayToward(us.Score, params.BaselineScore, params.DecayPoints)
			decayed := now
			us.LastDecayAt = &decayed
			cause = "decay"
		}
	} else {
		us.Score = types.ApplyDelta(us.Score, params.Delta(v.Verdict))
		us.Verdicts++
		us.LastDataAt = now
		us.LastDecayAt = nil
	}
	us.LastEpoch = v.Epoch
	after = us.Score
	if err := k.UnitScores.Set(ctx, v.UnitId, us); err != nil {
		return 0, 0, err
	}
	if before != after {
		if err := typedevent.Emit(ctx, &types.EventUnitScoreChanged{
			UnitId: v.UnitId, Provider: v.Provider, Epoch: v.Epoch, Cause: cause, From: before, To: after,
		}); err != nil {
			return 0, 0, err
		}
	}

	err = k.updateProvider(ctx, params, v.Provider, func(ps *types.ProviderScore) {
		switch {
		case wasScored:
			ps.UnitScoreSum = ps.UnitScoreSum + uint64(after) - uint64(before)
		case us.Verdicts > 0:
			ps.UnitsScored++
			ps.UnitScoreSum += uint64(after)
		}
		switch v.Verdict {
		case orchtypes.SLA_VERDICT_MISSED, orchtypes.SLA_VERDICT_CRITICAL:
			ps.CompliantSince = nil
		case orchtypes.SLA_VERDICT_MET, orchtypes.SLA_VERDICT_EXCEEDED:
			if ps.CompliantSince == nil {
				since := now
				ps.CompliantSince = &since
			}
		}
		ps.LastEpoch = v.Epoch
	})
	if err != nil {
		return 0, 0, err
	}
	return before, after, k.recordHistory(ctx, params, v.Provider, v.Epoch)
}

// changeUnitScore moves a unit's score directly (a dispute reversed a
// verdict), updates its provider, and returns the unit's new score.
func (k Keeper) changeUnitScore(ctx context.Context, params types.Params, unitID uint64, delta int32, epoch int64) (uint32, error) {
	us, err := k.UnitScores.Get(ctx, unitID)
	if err != nil {
		return 0, err
	}
	before := us.Score
	us.Score = types.ApplyDelta(us.Score, delta)
	if err := k.UnitScores.Set(ctx, unitID, us); err != nil {
		return 0, err
	}
	if err := typedevent.Emit(ctx, &types.EventUnitScoreChanged{
		UnitId: unitID, Provider: us.Provider, Epoch: epoch, Cause: "dispute", From: before, To: us.Score,
	}); err != nil {
		return 0, err
	}
	return us.Score, k.updateProvider(ctx, params, us.Provider, func(ps *types.ProviderScore) {
		if us.Verdicts > 0 {
			ps.UnitScoreSum = ps.UnitScoreSum + uint64(us.Score) - uint64(before)
		}
	})
}

// getProviderScore loads a provider's score, or a fresh one at the baseline.
func (k Keeper) getProviderScore(ctx context.Context, params types.Params, provider sdk.AccAddress) (types.ProviderScore, bool, error) {
	ps, err := k.ProviderScores.Get(ctx, provider)
	if errors.Is(err, collections.ErrNotFound) {
		return types.ProviderScore{
			Provider: provider.String(), Objective: params.BaselineScore, Overall: params.BaselineScore,
			Community: types.NewCommunityAccumulator(),
		}, false, nil
	}
	return ps, err == nil, err
}

// updateProvider applies f to a provider's score, recomputes its objective,
// community and overall scores, and keeps the leaderboard current.
func (k Keeper) updateProvider(ctx context.Context, params types.Params, provider string, f func(*types.ProviderScore)) error {
	addr, err := k.accAddress(provider)
	if err != nil {
		return err
	}
	ps, existed, err := k.getProviderScore(ctx, params, addr)
	if err != nil {
		return err
	}
	oldOverall := ps.Overall
	f(&ps)
	recompute(params, &ps)
	if !existed || oldOverall != ps.Overall {
		if existed {
			if err := k.leaderboardRemove(ctx, addr, oldOverall); err != nil {
				return err
			}
		}
		if err := k.leaderboardAdd(ctx, addr, ps.Overall); err != nil {
			return err
		}
	}
	if err := k.ProviderScores.Set(ctx, addr, ps); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventProviderScoreChanged{
		Provider: provider, Objective: ps.Objective, Community: ps.CommunityScore,
		CommunityPublic: ps.CommunityPublic, Overall: ps.Overall,
	})
}

// recompute derives a provider's objective, community and overall scores
// from its sums.
func recompute(params types.Params, ps *types.ProviderScore) {
	ps.Objective = params.BaselineScore
	if ps.UnitsScored > 0 {
		ps.Objective = uint32(ps.UnitScoreSum / ps.UnitsScored)
	}
	ps.CommunityScore = ps.Community.Score(params.RecentRatingWeight)
	ps.CommunityPublic = ps.Community.Count >= uint64(params.MinPublicRatings)
	ps.Overall = params.Overall(ps.Objective, ps.CommunityScore, ps.CommunityPublic)
}

// leaderboardKey orders providers best first.
func leaderboardKey(overall uint32) uint64 { return uint64(types.MaxScore - overall) }

func joinLeaderboard(overall uint32, addr sdk.AccAddress) collections.Pair[uint64, sdk.AccAddress] {
	return collections.Join(leaderboardKey(overall), addr)
}

// leaderboardAdd and leaderboardRemove keep the leaderboard and the count of
// providers per score together.
func (k Keeper) leaderboardAdd(ctx context.Context, addr sdk.AccAddress, overall uint32) error {
	if err := k.Leaderboard.Set(ctx, joinLeaderboard(overall, addr)); err != nil {
		return err
	}
	n, err := k.ScoreCounts.Get(ctx, overall)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	return k.ScoreCounts.Set(ctx, overall, n+1)
}

func (k Keeper) leaderboardRemove(ctx context.Context, addr sdk.AccAddress, overall uint32) error {
	if err := k.Leaderboard.Remove(ctx, joinLeaderboard(overall, addr)); err != nil {
		return err
	}
	n, err := k.ScoreCounts.Get(ctx, overall)
	if err != nil {
		return err
	}
	if n <= 1 {
		return k.ScoreCounts.Remove(ctx, overall)
	}
	return k.ScoreCounts.Set(ctx, overall, n-1)
}

// Rank is a provider's place on the leaderboard: 1 + the number of providers
// with a strictly higher overall score (ties share a rank).
func (k Keeper) Rank(ctx context.Context, overall uint32) (uint64, error) {
	rank := uint64(1)
	if overall >= types.MaxScore {
		return rank, nil
	}
	iter, err := k.ScoreCounts.Iterate(ctx, new(collections.Range[uint32]).StartExclusive(overall))
	if err != nil {
		return 0, err
	}
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		n, err := iter.Value()
		if err != nil {
			return 0, err
		}
		rank += n
	}
	return rank, nil
}

// recordHistory writes the provider's scores for an epoch and forgets the
// epoch history_epochs before.
func (k Keeper) recordHistory(ctx context.Context, params types.Params, provider string, epoch int64) error {
	addr, err := k.accAddress(provider)
	if err != nil {
		return err
	}
	ps, _, err := k.getProviderScore(ctx, params, addr)
	if err != nil {
		return err
	}
	point := types.ScorePoint{Epoch: epoch, Objective: ps.Objective, Community: ps.CommunityScore, Overall: ps.Overall}
	if err := k.History.Set(ctx, collections.Join(addr, epoch), point); err != nil {
		return err
	}
	if old := epoch - int64(params.HistoryEpochs); old > 0 {
		return k.History.Remove(ctx, collections.Join(addr, old))
	}
	return nil
}

// Badges returns the badges a provider holds now.
func Badges(params types.Params, ps types.ProviderScore, now time.Time) []string {
	var badges []string
	if ps.CompliantSince != nil && ps.UnitsScored > 0 && !now.Before(ps.CompliantSince.Add(params.BadgeCompliancePeriod)) {
		badges = append(badges, types.BadgeSlaCompliance)
	}
	if ps.UnitsScored > 0 && ps.Overall >= params.TopPerformerScore {
		badges = append(badges, types.BadgeTopPerformer)
	}
	return badges
}

// BaselineScore is the score a unit starts at; x/orchestrator gives it to a
// new unit so that the marketplace and first-epoch refunds use it too.
func (k Keeper) BaselineScore(ctx context.Context) (uint32, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	return params.BaselineScore, nil
}
