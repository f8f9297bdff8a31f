package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/blockwork"
	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// SLA enforcement runs once per epoch of sla_epoch_identifier. When the
// epoch ends, the epochs hook queues a round; the end-block hook then checks,
// max_verdicts_per_block at a time, every running deal (ACTIVE, then
// OVERDRAWN) against its SLA — refunds, terminations — and then every live
// unit against its offered SLA — reputation, critical slashes. A round never
// checks all deals in one block; it resumes from its cursor in the next.

// EpochHooks returns the x/epochs hooks of the module.
func (k Keeper) EpochHooks() epochstypes.EpochHooks { return epochHooks{k} }

type epochHooks struct{ k Keeper }

// AfterEpochEnd queues the SLA round of an ended SLA epoch.
func (h epochHooks) AfterEpochEnd(ctx context.Context, identifier string, epochNumber int64) error {
	k := h.k
	params, err := k.params(ctx)
	if err != nil || identifier != params.SlaEpochIdentifier {
		return err
	}
	info, err := k.epochs.GetEpochInfo(sdk.UnwrapSDKContext(ctx), identifier)
	if err != nil {
		return err
	}
	// The hook runs before x/epochs moves to the next epoch: the info still
	// describes the one that ended.
	round := types.SlaRound{
		Epoch:      epochNumber,
		EpochStart: info.CurrentEpochStartTime.UTC(),
		EpochEnd:   info.CurrentEpochStartTime.Add(info.Duration).UTC(),
		DealState:  int32(types.DEAL_STATE_ACTIVE),
	}
	if err := k.SlaRounds.Set(ctx, epochNumber, round); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventSlaRoundStarted{Epoch: epochNumber, EpochStart: round.EpochStart, EpochEnd: round.EpochEnd})
}

// BeforeEpochStart does nothing.
func (epochHooks) BeforeEpochStart(context.Context, string, int64) error { return nil }

const (
	phaseDeals uint32 = 0
	phaseUnits uint32 = 1
)

// ProcessSla advances the oldest SLA rounds by at most
// max_verdicts_per_block checks, then prunes old verdicts within the same
// budget. It is a no-op (one iterator seek) when no round is pending.
func (k Keeper) ProcessSla(ctx context.Context) error {
	params, err := k.params(ctx)
	if err != nil {
		return err
	}
	budget := int(params.MaxVerdictsPerBlock)
	for budget > 0 {
		round, ok, err := k.oldestRound(ctx)
		if err != nil || !ok {
			break
		}
		used, done, err := k.advanceRound(ctx, params, &round, budget)
		if err != nil {
			return err
		}
		budget -= used
		if !done {
			if err := k.SlaRounds.Set(ctx, round.Epoch, round); err != nil {
				return err
			}
			break
		}
		if err := k.SlaRounds.Remove(ctx, round.Epoch); err != nil {
			return err
		}
		if err := typedevent.Emit(ctx, &types.EventSlaRoundFinished{Epoch: round.Epoch}); err != nil {
			return err
		}
	}
	return k.pruneVerdicts(ctx, params, max(budget, 1))
}

// SlaRoundPending reports whether an SLA round is still being checked.
func (k Keeper) SlaRoundPending(ctx context.Context) (bool, error) {
	iter, err := k.SlaRounds.Iterate(ctx, nil)
	if err != nil {
		return false, err
	}
	defer iter.Close()
	return iter.Valid(), nil
}

// afterSlaWork tells x/reputation, in every block that ends with no SLA
// round open, that the SLA rounds are settled: its reward round waits for
// this so that rewards see the ended epochs' verdicts, and pauses while a
// later round is open.
func (k Keeper) afterSlaWork(ctx context.Context) error {
	if pending, err := k.SlaRoundPending(ctx); err != nil || pending {
		return err
	}
	return k.deps.reputation.AfterSlaRoundsSettled(ctx)
}

func (k Keeper) oldestRound(ctx context.Context) (types.SlaRound, bool, error) {
	iter, err := k.SlaRounds.Iterate(ctx, nil)
	if err != nil {
		return types.SlaRound{}, false, err
	}
	defer iter.Close()
	if !iter.Valid() {
		return types.SlaRound{}, false, nil
	}
	r, err := iter.Value()
	return r, err == nil, err
}

// advanceRound checks up to budget deals or units of the round and reports
// how many it used and whether the round is finished. Ids are read in
// batches (one iterator per batch, not per check); a deal that changes state
// during the round is never checked twice, since a verdict exists for it.
func (k Keeper) advanceRound(ctx context.Context, params types.Params, r *types.SlaRound, budget int) (int, bool, error) {
	used := 0
	for used < budget {
		switch r.Phase {
		case phaseDeals:
			ids, err := blockwork.FirstKeys(ctx, k.LiveDeals.Iterate,
				collections.NewPrefixedPairRange[int32, uint64](r.DealState).StartExclusive(r.Cursor), budget-used)
			if err != nil {
				return used, false, err
			}
			for _, key := range ids {
				id := key.K2()
				r.Cursor = id
				used++
				k.isolated(ctx, "deal_verdict", id, func(ctx sdk.Context) error { return k.checkDeal(ctx, params, *r, id) })
			}
			if used < budget { // this state's deals are all checked
				if r.DealState == int32(types.DEAL_STATE_ACTIVE) {
					r.DealState, r.Cursor = int32(types.DEAL_STATE_OVERDRAWN), 0
				} else {
					r.Phase, r.Cursor = phaseUnits, 0
				}
			}
		case phaseUnits:
			ids, err := blockwork.FirstKeys(ctx, k.LiveUnits.Iterate, new(collections.Range[uint64]).StartExclusive(r.Cursor), budget-used)
			if err != nil {
				return used, false, err
			}
			for _, id := range ids {
				r.Cursor = id
				used++
				k.isolated(ctx, "unit_verdict", id, func(ctx sdk.Context) error { return k.checkUnit(ctx, params, *r, id) })
			}
			if used < budget {
				return used, true, nil
			}
		default:
			return used, true, fmt.Errorf("unknown SLA round phase %d", r.Phase)
		}
	}
	return used, false, nil
}

// isolated runs one check like a due-queue item: its own cached context, and
// a failure is reported and skipped instead of halting the chain.
func (k Keeper) isolated(ctx context.Context, kind string, id uint64, f func(sdk.Context) error) {
	k.runIsolated(sdk.UnwrapSDKContext(ctx), kind, id, f)
}

// agreedQoS is the oracle's summary of a unit over the round's epoch.
func (k Keeper) agreedQoS(ctx context.Context, r types.SlaRound, unitID uint64) (types.AgreedQoS, error) {
	s, err := k.deps.oracle.UnitSummary(ctx, unitID, r.EpochStart, r.EpochEnd)
	if err != nil {
		return types.AgreedQoS{}, err
	}
	return types.AgreedQoS{
		Records: s.Records, LatencyMs: s.LatencyMs, DownloadKbps: s.DownloadKbps, UploadKbps: s.UploadKbps,
		UptimeBps: s.UptimeBps, ErrorRateBps: s.ErrorRateBps,
	}, nil
}

// pruneVerdicts deletes verdicts older than verdict_retention_epochs, at
// most limit of each kind per block. A unit verdict with an open dispute,
// and its deals' verdicts of that epoch, are kept until the dispute is
// resolved (HeldVerdicts): pruned earlier, an upheld dispute could not be
// carried out ("no verdict"), so the provider could never be made whole.
// They stay first in the epoch index and are read again by later blocks,
// each read counting against the limit; at most 2 × limit entries are read
// per kind and block.
func (k Keeper) pruneVerdicts(ctx context.Context, params types.Params, limit int) error {
	latest, ok, err := k.latestVerdictEpoch(ctx)
	if err != nil || !ok || latest <= int64(params.VerdictRetentionEpochs) {
		return err
	}
	cutoff := latest - int64(params.VerdictRetentionEpochs)
	for _, idx := range []struct {
		set    collections.KeySet[collections.Pair[int64, uint64]]
		unit   func(collections.Pair[uint64, int64]) (uint64, error)
		remove func(collections.Pair[uint64, int64]) error
	}{
		{
			k.DealVerdictsByEpoch,
			func(key collections.Pair[uint64, int64]) (uint64, error) {
				v, err := k.DealVerdicts.Get(ctx, key)
				return v.UnitId, err
			},
			func(key collections.Pair[uint64, int64]) error {
				v, err := k.DealVerdicts.Get(ctx, key)
				if err != nil {
					return err
				}
				if err := k.DealVerdictsByUnit.Remove(ctx, collections.Join3(v.UnitId, v.Epoch, v.DealId)); err != nil {
					return err
				}
				return k.DealVerdicts.Remove(ctx, key)
			},
		},
		{
			k.UnitVerdictsByEpoch,
			func(key collections.Pair[uint64, int64]) (uint64, error) { return key.K1(), nil },
			func(key collections.Pair[uint64, int64]) error { return k.UnitVerdicts.Remove(ctx, key) },
		},
	} {
		keys, err := blockwork.FirstKeys(ctx, idx.set.Iterate, collections.NewPrefixUntilPairRange[int64, uint64](cutoff-1), 2*limit)
		if err != nil {
			return err
		}
		removed := 0
		for _, key := range keys {
			if removed >= limit {
				break
			}
			verdict := collections.Join(key.K2(), key.K1())
			unitID, err := idx.unit(verdict)
			if err != nil {
				return err
			}
			if held, err := k.HeldVerdicts.Has(ctx, collections.Join(unitID, key.K1())); err != nil {
				return err
			} else if held {
				continue
			}
			if err := idx.remove(verdict); err != nil {
				return err
			}
			if err := idx.set.Remove(ctx, key); err != nil {
				return err
			}
			removed++
		}
	}
	return k.pruneWorstDealVerdicts(ctx, cutoff, limit)
}

// pruneWorstDealVerdicts deletes at most limit worst-deal-verdict entries
// of epochs before cutoff, the verdicts' own retention.
func (k Keeper) pruneWorstDealVerdicts(ctx context.Context, cutoff int64, limit int) error {
	iter, err := k.WorstDealVerdicts.Iterate(ctx, collections.NewPrefixUntilPairRange[int64, uint64](cutoff-1))
	if err != nil {
		return err
	}
	keys, err := func() ([]collections.Pair[int64, uint64], error) {
		defer iter.Close()
		var keys []collections.Pair[int64, uint64]
		for ; iter.Valid() && len(keys) < limit; iter.Next() {
			key, err := iter.Key()
			if err != nil {
				return nil, err
			}
			keys = append(keys, key)
		}
		return keys, nil
	}()
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := k.WorstDealVerdicts.Remove(ctx, key); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) latestVerdictEpoch(ctx context.Context) (int64, bool, error) {
	iter, err := k.UnitVerdictsByEpoch.Iterate(ctx, new(collections.Range[collections.Pair[int64, uint64]]).Descending())
	if err != nil {
		return 0, false, err
	}
	defer iter.Close()
	if !iter.Valid() {
		return 0, false, nil
	}
	key, err := iter.Key()
	return key.K1(), err == nil, err
}
