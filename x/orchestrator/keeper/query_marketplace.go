package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// scanFactor bounds the index entries one marketplace page may look at:
// scanFactor × limit. A page that hits the bound comes back short, with a
// next_key to continue from, so a query never scans without limit.
const scanFactor = 20

// keyRange is a collections.Ranger over [start, end) in either order.
type keyRange[K any] struct {
	start, end *collections.RangeKey[K]
	order      collections.Order
}

func (r keyRange[K]) RangeValues() (start, end *collections.RangeKey[K], order collections.Order, err error) {
	return r.start, r.end, r.order, nil
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
//
// When the request's filters are exactly one index range (indexOnly), the
// listing is that range and the SDK's pagination applies in full: key,
// offset, count_total, reverse. Otherwise units are checked one by one, a
// page reads at most scanFactor × limit entries, and offset and count_total
// are refused (a total would read every unit). Keys are whole index keys in
// both cases, so a key from another listing is refused.
func (q queryServer) DataUnits(ctx context.Context, req *types.QueryDataUnitsRequest) (*types.QueryDataUnitsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
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
	marketState := req.State == types.DATA_UNIT_STATE_UNSPECIFIED || takesNewDeals(req.State)
	direct := f.indexOnly(marketState)
	if !direct {
		if err := paging.Check(req.Pagination, paging.Unsupported{Offset: true, CountTotal: true,
			Because: "min_free_gb, max_price, a state that takes new deals, a second filter among region, country and api, " +
				"or a filter beside MAINTENANCE, DECOMMISSIONING or DECOMMISSIONED is checked on each unit read"}); err != nil {
			return nil, err
		}
	}
	page := clampPage(req.Pagination, direct)

	if marketState {
		ns := types.MarketNamespaceFor(req.Region, req.Country, req.Api, req.CertifiedOnly)
		l := unitListing[collections.Triple[string, uint64, uint64]]{
			index:  q.k.MarketIndex,
			prefix: collections.TriplePrefix[string, uint64, uint64](ns),
			inPage: func(k collections.Triple[string, uint64, uint64]) bool { return k.K1() == ns },
			unitID: func(k collections.Triple[string, uint64, uint64]) uint64 { return k.K3() },
		}
		if direct {
			return l.whole(ctx, q.k, page)
		}
		return l.scan(ctx, q.k, page, func(u types.DataUnit) (bool, error) { return f.match(u), nil })
	}
	state := int32(req.State)
	l := unitListing[collections.Pair[int32, uint64]]{
		index:  q.k.UnitsByState,
		prefix: collections.PairPrefix[int32, uint64](state),
		inPage: func(k collections.Pair[int32, uint64]) bool { return k.K1() == state },
		unitID: func(k collections.Pair[int32, uint64]) uint64 { return k.K2() },
	}
	if direct {
		return l.whole(ctx, q.k, page)
	}
	return l.scan(ctx, q.k, page, func(u types.DataUnit) (bool, error) {
		if !f.match(u) {
			return false, nil
		}
		if !req.CertifiedOnly {
			return true, nil
		}
		return q.k.providerCertified(ctx, u.Provider)
	})
}

// indexOnly reports whether the filters select exactly one index range:
// for the market, the namespace of at most one of region, country and api
// (certified or not) holds exactly the units listed, with free capacity;
// for the other states, the state's range holds exactly those units.
func (f unitFilter) indexOnly(marketState bool) bool {
	r := f.req
	if r.MinFreeGb != 0 || f.maxPrice != nil {
		return false
	}
	located := 0
	for _, set := range []bool{r.Region != "", r.Country != "", r.Api != types.API_COMPATIBILITY_UNSPECIFIED} {
		if set {
			located++
		}
	}
	if marketState {
		return located <= 1 && r.State == types.DATA_UNIT_STATE_UNSPECIFIED
	}
	return located == 0 && !r.CertifiedOnly
}

// unitListing is one index range of units: the prefix of its keys, which
// keys belong to it, and the unit id in a key.
type unitListing[K any] struct {
	index  collections.KeySet[K]
	prefix K
	inPage func(K) bool
	unitID func(K) uint64
}

// pageKey decodes a client's page key: a whole key of this listing.
func (l unitListing[K]) pageKey(key []byte) (K, error) {
	_, start, err := l.index.KeyCodec().Decode(key)
	if err != nil || !l.inPage(start) {
		return start, status.Error(codes.InvalidArgument, "pagination.key does not belong to this query")
	}
	return start, nil
}

func (l unitListing[K]) encode(key K) ([]byte, error) {
	codec := l.index.KeyCodec()
	out := make([]byte, codec.Size(key))
	_, err := codec.Encode(out, key)
	return out, err
}

// whole pages through the whole range with the SDK's pagination. The SDK
// works with keys relative to the prefix; the client sees whole keys.
func (l unitListing[K]) whole(ctx context.Context, k Keeper, page *query.PageRequest) (*types.QueryDataUnitsResponse, error) {
	prefixBytes, err := l.encode(l.prefix)
	if err != nil {
		return nil, toStatus(err)
	}
	if len(page.Key) > 0 {
		if _, err := l.pageKey(page.Key); err != nil {
			return nil, err
		}
		page.Key = page.Key[len(prefixBytes):]
	}
	units, res, err := paging.Paginate(ctx, l.index, page, nil,
		func(key K, _ collections.NoValue) (types.DataUnit, error) { return k.getUnit(ctx, l.unitID(key)) },
		func(o *query.CollectionsPaginateOptions[K]) { o.Prefix = &l.prefix })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if len(res.NextKey) > 0 {
		res.NextKey = append(append([]byte(nil), prefixBytes...), res.NextKey...)
	}
	return &types.QueryDataUnitsResponse{DataUnits: units, Pagination: res}, nil
}

// scan reads one page of units from the range: from the page key (or the
// range's first or, in reverse, last entry), keeping the units `accept`
// takes, until the page is full or scanFactor × limit entries were read;
// next_key then points at the first entry not read.
func (l unitListing[K]) scan(ctx context.Context, k Keeper, page *query.PageRequest, accept func(types.DataUnit) (bool, error)) (*types.QueryDataUnitsResponse, error) {
	r := keyRange[K]{start: collections.RangeKeyExact(l.prefix), end: collections.RangeKeyPrefixEnd(l.prefix), order: collections.OrderAscending}
	if page.Reverse {
		r.order = collections.OrderDescending
	}
	if len(page.Key) > 0 {
		from, err := l.pageKey(page.Key)
		if err != nil {
			return nil, err
		}
		if page.Reverse {
			r.end = collections.RangeKeyNext(from) // from itself comes first
		} else {
			r.start = collections.RangeKeyExact(from)
		}
	}
	iter, err := l.index.Iterate(ctx, r)
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
			next, err := l.encode(key)
			if err != nil {
				return nil, toStatus(err)
			}
			return &types.QueryDataUnitsResponse{DataUnits: units, Pagination: &query.PageResponse{NextKey: next}}, nil
		}
		scanned++
		u, err := k.getUnit(ctx, l.unitID(key))
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
