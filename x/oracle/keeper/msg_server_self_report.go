package keeper

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// SubmitQoSReport stores a deal party's signed self-report as evidence. Only
// the consumer or the provider of an open deal may file one, at most once per
// self_report_min_interval per party and deal.
func (m msgServer) SubmitQoSReport(ctx context.Context, msg *types.MsgSubmitQoSReport) (*types.MsgSubmitQoSReportResponse, error) {
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	parties, err := m.k.deals.DealParties(ctx, msg.DealId)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrDealNotFound, "deal %d: %s", msg.DealId, err)
	}
	var role string
	switch msg.Reporter {
	case parties.Consumer:
		role = "consumer"
	case parties.Provider:
		role = "provider"
	default:
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "only the consumer or the provider of deal %d may report on it", msg.DealId)
	}
	if !parties.Open {
		return nil, errorsmod.Wrapf(types.ErrDealNotOpen, "deal %d is closed", msg.DealId)
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	now := sdkCtx.BlockTime().Truncate(time.Second).UTC()
	reporter := m.k.mustAccAddress(msg.Reporter)
	lastKey := collections.Join(msg.DealId, reporter)
	last, err := m.k.LastSelfReport.Get(ctx, lastKey)
	switch {
	case err == nil:
		if next := time.Unix(last, 0).Add(params.SelfReportMinInterval); now.Before(next) {
			return nil, errorsmod.Wrapf(types.ErrTooSoon, "the last report on deal %d was at %s; the next may come at %s",
				msg.DealId, time.Unix(last, 0).UTC(), next.UTC())
		}
	case !errors.Is(err, collections.ErrNotFound):
		return nil, err
	}

	id, err := m.k.NextSelfReportID.Next(ctx)
	if err != nil {
		return nil, err
	}
	report := types.SelfReport{
		Id: id, DealId: msg.DealId, UnitId: parties.UnitID, Reporter: msg.Reporter, Role: role,
		Operation: msg.Operation, LatencyMs: msg.LatencyMs, ThroughputKbps: msg.ThroughputKbps,
		Success: msg.Success, ErrorDetails: msg.ErrorDetails, Time: now, Height: sdkCtx.BlockHeight(),
	}
	if err := m.k.SelfReports.Set(ctx, collections.Join(msg.DealId, id), report); err != nil {
		return nil, err
	}
	if err := m.k.SelfReportsByTime.Set(ctx, collections.Join3(now.Unix(), msg.DealId, id)); err != nil {
		return nil, err
	}
	if err := m.k.LastSelfReport.Set(ctx, lastKey, now.Unix()); err != nil {
		return nil, err
	}
	return &types.MsgSubmitQoSReportResponse{ReportId: id}, typedevent.Emit(sdkCtx, &types.EventSelfReport{Report: report})
}
