package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// FileDispute opens a provider's dispute of one of its units' MISSED or
// CRITICAL verdicts, or of a rating of one of its deals, within
// dispute_window of the verdict or rating. Each verdict or rating can be
// disputed once.
func (m msgServer) FileDispute(ctx context.Context, msg *types.MsgFileDispute) (*types.MsgFileDisputeResponse, error) {
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	now := blockSecond(ctx)
	d := types.Dispute{
		Provider: msg.Provider, Kind: msg.Kind, Reason: msg.Reason, Status: types.DISPUTE_STATUS_OPEN,
		FiledAt: now, Restitution: sdkmath.ZeroInt(), Shortfall: sdkmath.ZeroInt(),
	}
	var target string
	switch msg.Kind {
	case types.DISPUTE_KIND_VERDICT:
		v, err := m.k.orchestrator.UnitVerdict(ctx, msg.UnitId, msg.Epoch)
		if err != nil {
			return nil, errorsmod.Wrap(types.ErrNotFound, err.Error())
		}
		if v.Provider != msg.Provider {
			return nil, errorsmod.Wrapf(types.ErrUnauthorized, "unit %d belongs to %s, not %s", v.UnitId, v.Provider, msg.Provider)
		}
		if v.Verdict != orchtypes.SLA_VERDICT_MISSED && v.Verdict != orchtypes.SLA_VERDICT_CRITICAL {
			return nil, errorsmod.Wrapf(types.ErrNothingToDispute, "unit %d's verdict in epoch %d is %s; only MISSED and CRITICAL can be disputed", v.UnitId, v.Epoch, v.Verdict)
		}
		if v.Reversed {
			return nil, errorsmod.Wrapf(types.ErrNothingToDispute, "unit %d's verdict in epoch %d was already reversed", v.UnitId, v.Epoch)
		}
		if !now.Before(v.Time.Add(params.DisputeWindow)) {
			return nil, errorsmod.Wrapf(types.ErrDisputeWindow, "the verdict was recorded at %s; disputes close after %s", v.Time.Format("2006-01-02T15:04:05Z"), params.DisputeWindow)
		}
		d.UnitId, d.Epoch = v.UnitId, v.Epoch
		d.ScoreChange = int32(v.ScoreAfter) - int32(v.ScoreBefore)
		target = fmt.Sprintf("verdict/%d/%d", v.UnitId, v.Epoch)
		// Keep the verdict until the dispute is resolved: upholding it
		// reads and reverses it (TestDisputedVerdictOutlivesRetention).
		if err := m.k.orchestrator.HoldVerdict(ctx, v.UnitId, v.Epoch); err != nil {
			return nil, err
		}
	case types.DISPUTE_KIND_RATING:
		r, err := m.k.Ratings.Get(ctx, msg.DealId)
		if errors.Is(err, collections.ErrNotFound) {
			return nil, errorsmod.Wrapf(types.ErrNotFound, "deal %d has no rating", msg.DealId)
		} else if err != nil {
			return nil, err
		}
		if r.Provider != msg.Provider {
			return nil, errorsmod.Wrapf(types.ErrUnauthorized, "the rating of deal %d is of %s, not %s", r.DealId, r.Provider, msg.Provider)
		}
		if r.Hidden {
			return nil, errorsmod.Wrapf(types.ErrNothingToDispute, "the rating of deal %d is already hidden", r.DealId)
		}
		if !now.Before(r.Time.Add(params.DisputeWindow)) {
			return nil, errorsmod.Wrapf(types.ErrDisputeWindow, "the rating was made at %s; disputes close after %s", r.Time.Format("2006-01-02T15:04:05Z"), params.DisputeWindow)
		}
		d.DealId = r.DealId
		target = fmt.Sprintf("rating/%d", r.DealId)
	}
	if prior, err := m.k.DisputeByTarget.Get(ctx, target); err == nil {
		return nil, errorsmod.Wrapf(types.ErrDisputeExists, "dispute %d was already filed over this %s", prior, msg.Kind)
	} else if !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	id, err := m.k.NextDisputeID.Next(ctx)
	if err != nil {
		return nil, err
	}
	d.Id = id
	if err := m.k.DisputeByTarget.Set(ctx, target, id); err != nil {
		return nil, err
	}
	if err := m.k.setDispute(ctx, nil, d); err != nil {
		return nil, err
	}
	return &types.MsgFileDisputeResponse{DisputeId: id}, typedevent.Emit(ctx, &types.EventDisputeFiled{Dispute: d})
}

// ResolveDispute upholds or rejects an open dispute; the governance
// authority or the arbiter param signs it. Upholding a verdict dispute
// reverses the verdict's score change and pays the provider back, from the
// reward pool, what the verdict cost it; upholding a rating dispute hides
// the rating.
func (m msgServer) ResolveDispute(ctx context.Context, msg *types.MsgResolveDispute) (*types.MsgResolveDisputeResponse, error) {
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.Authority != m.k.authority && (params.Arbiter == "" || msg.Authority != params.Arbiter) {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "only the arbiter or the governance authority may resolve disputes, not %s", msg.Authority)
	}
	d, err := m.k.Disputes.Get(ctx, msg.DisputeId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrNotFound, "dispute %d", msg.DisputeId)
	} else if err != nil {
		return nil, err
	}
	if d.Status != types.DISPUTE_STATUS_OPEN {
		return nil, errorsmod.Wrapf(types.ErrDisputeNotOpen, "dispute %d is %s", d.Id, d.Status)
	}
	old := d
	now := blockSecond(ctx)
	d.ResolvedAt, d.ResolvedBy, d.Resolution = &now, msg.Authority, msg.Resolution
	d.Status = types.DISPUTE_STATUS_REJECTED
	if msg.Upheld {
		d.Status = types.DISPUTE_STATUS_UPHELD
		if err := m.k.uphold(ctx, params, &d); err != nil {
			return nil, err
		}
	} else if d.Kind == types.DISPUTE_KIND_VERDICT {
		if err := m.k.orchestrator.RejectVerdictDispute(ctx, d.UnitId, d.Epoch); err != nil {
			return nil, err
		}
	}
	if err := m.k.setDispute(ctx, &old, d); err != nil {
		return nil, err
	}
	return &types.MsgResolveDisputeResponse{}, typedevent.Emit(ctx, &types.EventDisputeResolved{Dispute: d})
}
