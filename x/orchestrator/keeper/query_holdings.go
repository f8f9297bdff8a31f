package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Holdings returns the module account's balance next to what it holds it
// for, so that anyone can check the module-account-balance invariant from
// outside: balance = bonds + escrow and earnings + pending platform fees.
func (q queryServer) Holdings(ctx context.Context, req *types.QueryHoldingsRequest) (*types.QueryHoldingsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	stats, err := q.k.Stats.Get(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	pending, err := q.k.pendingPlatformFees(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	denom := params.Denom()
	return &types.QueryHoldingsResponse{
		Denom:               denom,
		Balance:             q.k.bank.GetBalance(ctx, q.k.moduleAddr, denom).Amount,
		BondsHeld:           stats.BondsHeld,
		EscrowHeld:          stats.EscrowHeld,
		PendingPlatformFees: pending,
	}, nil
}

// SlaRounds lists the SLA rounds in progress, oldest epoch first.
func (q queryServer) SlaRounds(ctx context.Context, req *types.QuerySlaRoundsRequest) (*types.QuerySlaRoundsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	rounds, page, err := paging.Paginate(ctx, q.k.SlaRounds, clampPage(req.Pagination, true), nil,
		func(_ int64, r types.SlaRound) (types.SlaRound, error) { return r, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QuerySlaRoundsResponse{Rounds: rounds, Pagination: page}, nil
}
