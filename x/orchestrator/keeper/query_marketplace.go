package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// scanFactor bounds the index entries one marketplace page may look at:
// scanFactor × limit. A page that hits the bound comes back short, with a
// next_key to continue from, so a query never scans without limit.
const scanFactor = 20

// keyRange is a collections.Ranger over [start, end).
type keyRange[K any] struct {
	start, end *collections.RangeKey[K]
}

func (r keyRange[K]) RangeValues() (start, end *collections.RangeKey[K], order collections.Order, err error) {
	return r.start, r.end, collections.OrderAscending, nil
}

// unitFilter is a marketplace request's filters on a unit.
type unitFilter struct {
	req      *types.QueryDataUnitsRequest
	maxPrice *sdkmath.Int
}

func (f unitFilter) match(u types.DataUnit) bool {
	r := f.req
	switch {
	case r.Region != "" && u.Region != r.Region,
		r.Country != "" && u.Country != r.Country,
		r.Api != types.API_COMPATIBILITY_UNSPECIFIED && u.Api != r.Api,
		r.State != types.DATA_UNIT_STATE_UNSPECIFIED && u.State != r.State,
		u.CapacityGb-u.AllocatedGb < r.MinFreeGb,
		f.maxPrice != nil && u.PricePerGbMonth.GT(*f.maxPrice):
		return false
	}
	return true
}

// DataUnits is the marketplace. Units that take new deals are read from the
// ranking index (namespace, inverted rank, id) of the most selective filter,
// so they come best first; other filters are checked on the units read.
// Units in MAINTENANCE or DECOMMISSION* are read from the by-state index.
func (q queryServer) DataUnits(ctx context.Context, req *types.QueryDataUnitsRequest) (*types.QueryDataUnitsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	page := clampPage(req.Pagination)
	if page.Offset > 0 || page.CountTotal || page.Reverse {
		return nil, status.Error(codes.InvalidArgument, "the marketplace pages by key only: use pagination.key with the previous next_key")
	}
	f := unitFilter{req: req}
	if req.MaxPrice != "" {
		p, ok := sdkmath.NewIntFromString(req.MaxPrice)
		if !ok || p.IsNegative() {
			return nil, status.Errorf(codes.InvalidArgument, "max_price must be a non-negative integer amount of uflash, got %q", req.MaxPrice)
		}
		f.maxPrice = &p
	}
	if req.Region != "" {
		if err := types.ValidateRegion(req.Region); err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
	}
	if _, ok := types.DataUnitState_name[int32(req.State)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown state %d", req.State)
	}

	if req.State == types.DATA_UNIT_STATE_UNSPECIFIED || takesNewDeals(req.State) {
		return q.marketPage(ctx, f, page)
	}
	return q.statePage(ctx, f, page)
}

func (q queryServer) marketPage(ctx context.Context, f unitFilter, page *query.PageRequest) (*types.QueryDataUnitsResponse, error) {
	ns := types.MarketNamespaceFor(f.req.Region, f.req.Country, f.req.Api, f.req.CertifiedOnly)
	prefix := collections.TriplePrefix[string, uint64, uint64](ns)
	inPage := func(k collections.Triple[string, uint64, uint64]) bool { return k.K1() == ns }
	unitID := func(k collections.Triple[string, uint64, uint64]) uint64 { return k.K3() }
	return scanUnits(ctx, q.k, q.k.MarketIndex, prefix, page, inPage, unitID, func(u types.DataUnit) (bool, error) {
		return f.match(u), nil
	})
}

func (q queryServer) statePage(ctx context.Context, f unitFilter, page *query.PageRequest) (*types.QueryDataUnitsResponse, error) {
	state := int32(f.req.State)
	prefix := collections.PairPrefix[int32, uint64](state)
	inPage := func(k collections.Pair[int32, uint64]) bool { return k.K1() == state }
	unitID := func(k collections.Pair[int32, uint64]) uint64 { return k.K2() }
	return scanUnits(ctx, q.k, q.k.UnitsByState, prefix, page, inPage, unitID, func(u types.DataUnit) (bool, error) {
		if !f.match(u) {
			return false, nil
		}
		if !f.req.CertifiedOnly {
			return true, nil
		}
		return q.k.providerCertified(ctx, u.Provider)
	})
}

// scanUnits reads one page of units from an index: from the page key (or
// the prefix), keeping the units `accept` takes, until the page is full or
// scanFactor × limit entries were read; next_key then points at the first
// entry not read.
func scanUnits[K any](
	ctx context.Context, k Keeper, index collections.KeySet[K], prefix K, page *query.PageRequest,
	inPage func(K) bool, unitID func(K) uint64, accept func(types.DataUnit) (bool, error),
) (*types.QueryDataUnitsResponse, error) {
	r := keyRange[K]{start: collections.RangeKeyExact(prefix), end: collections.RangeKeyPrefixEnd(prefix)}
	codec := index.KeyCodec()
	if len(page.Key) > 0 {
		_, start, err := codec.Decode(page.Key)
		if err != nil || !inPage(start) {
			return nil, status.Error(codes.InvalidArgument, "pagination.key does not belong to this query")
		}
		r.start = collections.RangeKeyExact(start)
	}
	iter, err := index.Iterate(ctx, r)
	if err != nil {
		return nil, toStatus(err)
	}
	defer iter.Close()

	units := make([]types.DataUnit, 0, page.Limit)
	for scanned := uint64(0); iter.Valid(); iter.Next() {
		key, err := iter.Key()
		if err != nil {
			return nil, toStatus(err)
		}
		if uint64(len(units)) == page.Limit || scanned == page.Limit*scanFactor {
			next := make([]byte, codec.Size(key))
			if _, err := codec.Encode(next, key); err != nil {
				return nil, toStatus(err)
			}
			return &types.QueryDataUnitsResponse{DataUnits: units, Pagination: &query.PageResponse{NextKey: next}}, nil
		}
		scanned++
		u, err := k.getUnit(ctx, unitID(key))
		if err != nil {
			return nil, toStatus(err)
		}
		ok, err := accept(u)
		if err != nil {
			return nil, toStatus(err)
		}
		if ok {
			units = append(units, u)
		}
	}
	return &types.QueryDataUnitsResponse{DataUnits: units, Pagination: &query.PageResponse{}}, nil
}
