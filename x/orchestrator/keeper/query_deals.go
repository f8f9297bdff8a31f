package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
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

// Deals lists deals in deal-id order: every deal (no filter); a consumer's,
// a provider's or a unit's (from their listings), optionally only those in
// one state; or, with a state alone, every deal in that state. Running deals
// (ACTIVE, OVERDRAWN) come from LiveDeals; pending and closed ones, which no
// index keeps by state, by a filtered walk of all deals — the way x/gov
// lists proposals by status — so a page may read many deals to fill.
//
// Pagination: key, limit and reverse everywhere. Totals of every deal and of
// a state alone come from the running stats (no walk). offset and
// count_total are refused where the state is read from each deal (see
// dealsPaging).
func (q queryServer) Deals(ctx context.Context, req *types.QueryDealsRequest) (*types.QueryDealsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	parties := 0
	for _, set := range []bool{req.Consumer != "", req.Provider != "", req.UnitId != 0} {
		if set {
			parties++
		}
	}
	if parties > 1 {
		return nil, status.Error(codes.InvalidArgument, "give at most one of consumer, provider or unit_id (with or without a state)")
	}
	if _, ok := types.DealState_name[int32(req.State)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown state %d", req.State)
	}
	page, statsTotal, err := dealsPaging(req, parties > 0)
	if err != nil {
		return nil, err
	}

	var (
		deals   []types.Deal
		pageRes *query.PageResponse
	)
	switch {
	case req.Consumer != "":
		acc, aerr := q.k.accAddress(req.Consumer)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid address %q", req.Consumer)
		}
		deals, pageRes, err = pageDeals(ctx, q.k, q.k.DealsByConsumer, page, req.State,
			func(k collections.Pair[sdk.AccAddress, uint64]) uint64 { return k.K2() },
			query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](acc))
	case req.Provider != "":
		acc, aerr := q.k.accAddress(req.Provider)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid address %q", req.Provider)
		}
		deals, pageRes, err = pageDeals(ctx, q.k, q.k.DealsByProvider, page, req.State, tripleDealID,
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
		acc, aerr := q.k.accAddress(unit.Provider)
		if aerr != nil {
			return nil, toStatus(aerr)
		}
		deals, pageRes, err = pageDeals(ctx, q.k, q.k.DealsByProvider, page, req.State, tripleDealID,
			withTriplePrefix(collections.TripleSuperPrefix[sdk.AccAddress, uint64, uint64](acc, req.UnitId)))
	case isLiveDeal(req.State):
		deals, pageRes, err = pageDeals(ctx, q.k, q.k.LiveDeals, page, types.DEAL_STATE_UNSPECIFIED,
			func(k collections.Pair[int32, uint64]) uint64 { return k.K2() },
			query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.State)))
	case req.State != types.DEAL_STATE_UNSPECIFIED:
		deals, pageRes, err = paging.Paginate(ctx, q.k.Deals, page,
			func(_ uint64, d types.Deal) (bool, error) { return d.State == req.State, nil },
			func(_ uint64, d types.Deal) (types.Deal, error) { return d, nil })
	default:
		deals, pageRes, err = paging.Paginate(ctx, q.k.Deals, page, nil,
			func(_ uint64, d types.Deal) (types.Deal, error) { return d, nil })
	}
	if errors.Is(err, types.ErrDealNotFound) { // an index entry without its deal
		return nil, status.Error(codes.Internal, err.Error())
	}
	if err != nil { // a bad page request
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if statsTotal {
		if pageRes.Total, err = q.k.dealsInState(ctx, req.State); err != nil {
			return nil, toStatus(err)
		}
	}
	return &types.QueryDealsResponse{Deals: deals, Pagination: pageRes}, nil
}

// dealsPaging checks a Deals request's pagination against what its listing
// can serve and normalizes it. statsTotal reports that the total is to be
// read from the running stats (every deal, or a state alone) rather than
// counted: the returned page then has count_total off.
//
//   - a party and a state: the state is read from each of the party's deals,
//     so skipping (offset) or counting would read them all: refused;
//   - PENDING or CLOSED alone: a filtered walk of all deals, so offset would
//     read every deal skipped: refused; the total comes from the stats;
//   - anything else walks an index or the deals directly: all supported.
func dealsPaging(req *types.QueryDealsRequest, party bool) (*query.PageRequest, bool, error) {
	filtered := req.State != types.DEAL_STATE_UNSPECIFIED && (party || !isLiveDeal(req.State))
	if filtered {
		u := paging.Unsupported{Offset: true, Because: "pending and closed deals are found by reading every deal"}
		if party {
			u = paging.Unsupported{Offset: true, CountTotal: true,
				Because: "the state is read from each of the consumer's, provider's or unit's deals (list them without a state for offset and count_total)"}
		}
		if err := paging.Check(req.Pagination, u); err != nil {
			return nil, false, err
		}
	}
	page := clampPage(req.Pagination, !(party && filtered))
	if party {
		return page, false, nil
	}
	statsTotal := page.CountTotal
	page.CountTotal = false
	return page, statsTotal, nil
}

// dealsInState is the number of deals in state from the running stats, or
// of every deal for DEAL_STATE_UNSPECIFIED.
func (k Keeper) dealsInState(ctx context.Context, state types.DealState) (uint64, error) {
	stats, err := k.Stats.Get(ctx)
	if err != nil {
		return 0, err
	}
	if state != types.DEAL_STATE_UNSPECIFIED {
		if int(state) < len(stats.DealsByState) {
			return stats.DealsByState[state], nil
		}
		return 0, nil
	}
	var total uint64
	for _, n := range stats.DealsByState {
		total += n
	}
	return total, nil
}

func tripleDealID(k collections.Triple[sdk.AccAddress, uint64, uint64]) uint64 { return k.K3() }

// pageDeals pages through an index of deal ids (id extracts the id from a
// key) and loads each deal once, keeping only those in state when one is
// given.
func pageDeals[K any](
	ctx context.Context, k Keeper, index query.Collection[K, collections.NoValue], page *query.PageRequest,
	state types.DealState, id func(K) uint64, opts ...func(*query.CollectionsPaginateOptions[K]),
) ([]types.Deal, *query.PageResponse, error) {
	// The predicate loads the deal to see its state; the transform, called
	// right after it for the same key, reuses it.
	var loaded *types.Deal
	var inState func(K, collections.NoValue) (bool, error)
	if state != types.DEAL_STATE_UNSPECIFIED {
		inState = func(key K, _ collections.NoValue) (bool, error) {
			d, err := k.getDeal(ctx, id(key))
			if err != nil {
				return false, err
			}
			loaded = &d
			return d.State == state, nil
		}
	}
	return paging.Paginate(ctx, index, page, inState, func(key K, _ collections.NoValue) (types.Deal, error) {
		if loaded != nil && loaded.Id == id(key) {
			return *loaded, nil
		}
		return k.getDeal(ctx, id(key))
	}, opts...)
}

// withTriplePrefix restricts a paginated walk of a Triple-keyed collection to
// a prefix of one or two key parts (the SDK only ships the Pair version).
func withTriplePrefix[K1, K2, K3 any](prefix collections.Triple[K1, K2, K3]) func(o *query.CollectionsPaginateOptions[collections.Triple[K1, K2, K3]]) {
	return func(o *query.CollectionsPaginateOptions[collections.Triple[K1, K2, K3]]) {
		o.Prefix = &prefix
	}
}
