package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Deal returns a deal with its escrow projected to the query's block time:
// what settling now would accrue, what the provider could withdraw, and when
// the escrow runs dry.
func (q queryServer) Deal(ctx context.Context, req *types.QueryDealRequest) (*types.QueryDealResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	d, err := q.k.getDeal(ctx, req.Id)
	if err != nil {
		return nil, toStatus(err)
	}
	params, err := q.k.params(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	now := blockSecond(ctx)
	projected := d
	projected.Settle(now)
	gross := projected.Earnings()
	fee := types.PlatformFee(params.PlatformFeeRate, projected.Withdrawn, projected.FeesPaid, gross)
	view := types.EscrowView{
		Balance:         projected.Escrow(),
		Accrued:         projected.Accrued,
		Withdrawable:    gross.Sub(fee),
		WithdrawableFee: fee,
		RatePerDay:      d.MonthlyCost.QuoRaw(30),
		AsOf:            now,
	}
	if d.Running() {
		if dry, ok := d.PaidThrough(); ok {
			view.RunsDryAt = &dry
		}
	}
	return &types.QueryDealResponse{Deal: d, Escrow: view}, nil
}

// Deals lists deals by exactly one of consumer, provider, unit or state,
// from the matching index, in deal-id order.
func (q queryServer) Deals(ctx context.Context, req *types.QueryDealsRequest) (*types.QueryDealsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	selectors := 0
	for _, set := range []bool{req.Consumer != "", req.Provider != "", req.UnitId != 0, req.State != types.DEAL_STATE_UNSPECIFIED} {
		if set {
			selectors++
		}
	}
	if selectors != 1 {
		return nil, status.Error(codes.InvalidArgument, "give exactly one of consumer, provider, unit_id or state")
	}
	page := clampPage(req.Pagination)

	var (
		ids     []uint64
		pageRes *query.PageResponse
		err     error
	)
	keepID := func(k collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (uint64, error) {
		return k.K2(), nil
	}
	keepDealID := func(k collections.Triple[sdk.AccAddress, uint64, uint64], _ collections.NoValue) (uint64, error) {
		return k.K3(), nil
	}
	switch {
	case req.Consumer != "":
		acc, aerr := sdk.AccAddressFromBech32(req.Consumer)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid address %q", req.Consumer)
		}
		ids, pageRes, err = query.CollectionPaginate(ctx, q.k.DealsByConsumer, page, keepID,
			query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](acc))
	case req.Provider != "":
		acc, aerr := sdk.AccAddressFromBech32(req.Provider)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid address %q", req.Provider)
		}
		ids, pageRes, err = query.CollectionPaginate(ctx, q.k.DealsByProvider, page, keepDealID,
			withTriplePrefix(collections.TriplePrefix[sdk.AccAddress, uint64, uint64](acc)))
	case req.UnitId != 0:
		// A unit's deals sit under its provider in the provider index.
		unit, uerr := q.k.DataUnits.Get(ctx, req.UnitId)
		if errors.Is(uerr, collections.ErrNotFound) {
			return &types.QueryDealsResponse{Pagination: &query.PageResponse{}}, nil
		}
		if uerr != nil {
			return nil, toStatus(uerr)
		}
		acc, aerr := sdk.AccAddressFromBech32(unit.Provider)
		if aerr != nil {
			return nil, toStatus(aerr)
		}
		ids, pageRes, err = query.CollectionPaginate(ctx, q.k.DealsByProvider, page, keepDealID,
			withTriplePrefix(collections.TripleSuperPrefix[sdk.AccAddress, uint64, uint64](acc, req.UnitId)))
	default:
		if _, ok := types.DealState_name[int32(req.State)]; !ok {
			return nil, status.Errorf(codes.InvalidArgument, "unknown state %d", req.State)
		}
		ids, pageRes, err = query.CollectionPaginate(ctx, q.k.DealsByState, page,
			func(k collections.Pair[int32, uint64], _ collections.NoValue) (uint64, error) { return k.K2(), nil },
			query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.State)))
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	deals := make([]types.Deal, 0, len(ids))
	for _, id := range ids {
		d, err := q.k.getDeal(ctx, id)
		if err != nil {
			return nil, toStatus(err)
		}
		deals = append(deals, d)
	}
	return &types.QueryDealsResponse{Deals: deals, Pagination: pageRes}, nil
}

// withTriplePrefix restricts a paginated walk of a Triple-keyed collection to
// a prefix of one or two key parts (the SDK only ships the Pair version).
func withTriplePrefix[K1, K2, K3 any](prefix collections.Triple[K1, K2, K3]) func(o *query.CollectionsPaginateOptions[collections.Triple[K1, K2, K3]]) {
	return func(o *query.CollectionsPaginateOptions[collections.Triple[K1, K2, K3]]) {
		o.Prefix = &prefix
	}
}
