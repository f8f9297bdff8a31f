package keeper_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/testutil/pagetest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Every list query of x/orchestrator, over its query server, against the
// SDK's pagination contract (testutil/pagetest): no pagination, key pages
// both ways without gaps or duplicates, offset, count_total, reverse — or,
// where the listing filters what it reads, a refusal that says what works.

func dealList(s *suite, req types.QueryDealsRequest) pagetest.List {
	return func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		r := req
		r.Pagination = page
		res, err := s.queries.Deals(s.ctx(), &r)
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Deals, func(d types.Deal) any { return d.Id }), res.Pagination, nil
	}
}

func unitList(s *suite, req types.QueryDataUnitsRequest) pagetest.List {
	return func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		r := req
		r.Pagination = page
		res, err := s.queries.DataUnits(s.ctx(), &r)
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.DataUnits, func(u types.DataUnit) any { return u.Id }), res.Pagination, nil
	}
}

func ids(list ...uint64) []string { return pagetest.IDs(list, func(id uint64) any { return id }) }

// TestDealsPaging: every deal (no filter), a party's, a unit's, a running
// state's — all options; PENDING alone — no offset; a party with a state —
// neither offset nor count_total.
func TestDealsPaging(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	other := s.createUnit(s.provider)
	s.registerConsumer(s.consumer2)
	var active []uint64
	for range 4 {
		id := s.requestDeal(dealMsg(s.consumer, unitID))
		s.accept(s.provider, id)
		active = append(active, id)
	}
	p1, p2 := s.requestDeal(dealMsg(s.consumer2, unitID)), s.requestDeal(dealMsg(s.consumer2, unitID))
	p3 := s.requestDeal(dealMsg(s.consumer2, other))
	cancelled := s.requestDeal(dealMsg(s.consumer, unitID))
	_, err := s.msgs.CancelDealRequest(s.ctx(), &types.MsgCancelDealRequest{Consumer: s.consumer.String(), DealId: cancelled})
	require.NoError(t, err)

	all := append(slices.Clone(active), p1, p2, p3, cancelled)
	pagetest.Check(t, dealList(s, types.QueryDealsRequest{}), ids(all...), pagetest.All)
	pagetest.Check(t, dealList(s, types.QueryDealsRequest{Consumer: s.consumer.String()}), ids(append(slices.Clone(active), cancelled)...), pagetest.All)
	// A provider's deals come by unit, then id.
	pagetest.Check(t, dealList(s, types.QueryDealsRequest{Provider: s.provider.String()}),
		ids(append(slices.Clone(active), p1, p2, cancelled, p3)...), pagetest.All)
	pagetest.Check(t, dealList(s, types.QueryDealsRequest{UnitId: unitID}), ids(append(slices.Clone(active), p1, p2, cancelled)...), pagetest.All)
	pagetest.Check(t, dealList(s, types.QueryDealsRequest{State: types.DEAL_STATE_ACTIVE}), ids(active...), pagetest.All)
	pagetest.Check(t, dealList(s, types.QueryDealsRequest{State: types.DEAL_STATE_PENDING}), ids(p1, p2, p3),
		pagetest.Supports{CountTotal: true})
	pagetest.Check(t, dealList(s, types.QueryDealsRequest{Consumer: s.consumer.String(), State: types.DEAL_STATE_ACTIVE}), ids(active...),
		pagetest.Supports{})
	pagetest.Check(t, dealList(s, types.QueryDealsRequest{Provider: s.provider.String(), State: types.DEAL_STATE_PENDING}), ids(p1, p2, p3),
		pagetest.Supports{})
}

// TestDataUnitsPaging: a listing that is one index range — the whole
// market, a region, the certified units, a non-market state — supports
// every option; a listing that checks each unit read (max_price, a second
// filter) pages by key (both ways) and refuses offset and count_total.
func TestDataUnitsPaging(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	s.registerProvider(s.provider2)
	_, err := s.msgs.CertifyProvider(s.ctx(), &types.MsgCertifyProvider{Authority: s.certifier.String(), Provider: s.provider.String(), Certified: true})
	require.NoError(t, err)
	// Ranked by priority fee: a, b, c, d (all eu-west); e is elsewhere.
	fee := func(n int64) func(*types.MsgCreateDataUnit) {
		return func(m *types.MsgCreateDataUnit) { m.PriorityFee = uflashPtr(n) }
	}
	a := s.createUnit(s.provider, fee(50_000))
	b := s.createUnit(s.provider2, fee(40_000))
	c := s.createUnit(s.provider, fee(30_000))
	d := s.createUnit(s.provider, fee(20_000), func(m *types.MsgCreateDataUnit) { m.PricePerGbMonth = sdkmath.NewInt(90_000) })
	e := s.createUnit(s.provider, fee(10_000), func(m *types.MsgCreateDataUnit) { m.Region, m.Country = "us-east", "US" })

	pagetest.Check(t, unitList(s, types.QueryDataUnitsRequest{}), ids(a, b, c, d, e), pagetest.All)
	pagetest.Check(t, unitList(s, types.QueryDataUnitsRequest{Region: "eu-west"}), ids(a, b, c, d), pagetest.All)
	pagetest.Check(t, unitList(s, types.QueryDataUnitsRequest{CertifiedOnly: true}), ids(a, c, d, e), pagetest.All)
	pagetest.Check(t, unitList(s, types.QueryDataUnitsRequest{MaxPrice: "50000"}), ids(a, b, c, e), pagetest.Supports{})
	pagetest.Check(t, unitList(s, types.QueryDataUnitsRequest{Region: "eu-west", Country: "FR"}), ids(a, b, c, d), pagetest.Supports{})

	for _, id := range []uint64{a, c, e} {
		_, err := s.msgs.DecommissionDataUnit(s.ctx(), &types.MsgDecommissionDataUnit{Provider: s.provider.String(), UnitId: id})
		require.NoError(t, err)
	}
	decommissioned := types.QueryDataUnitsRequest{State: types.DATA_UNIT_STATE_DECOMMISSIONED}
	pagetest.Check(t, unitList(s, decommissioned), ids(a, c, e), pagetest.All)
	decommissioned.CertifiedOnly = true
	pagetest.Check(t, unitList(s, decommissioned), ids(a, c, e), pagetest.Supports{})

	// A key is a whole index key: one from another listing is refused.
	_, res, err := unitList(s, types.QueryDataUnitsRequest{})(&query.PageRequest{Limit: 1})
	require.NoError(t, err)
	_, _, err = unitList(s, types.QueryDataUnitsRequest{Region: "eu-west"})(&query.PageRequest{Key: res.NextKey})
	require.ErrorContains(t, err, "does not belong to this query")
}

// TestProvidersPaging: providers by address.
func TestProvidersPaging(t *testing.T) {
	s := newSuite(t)
	addrs := []sdk.AccAddress{s.provider, s.provider2, s.stranger}
	for _, a := range addrs {
		s.registerProvider(a)
	}
	slices.SortFunc(addrs, func(x, y sdk.AccAddress) int { return bytes.Compare(x, y) })
	list := func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		res, err := s.queries.Providers(s.ctx(), &types.QueryProvidersRequest{Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Providers, func(p types.Provider) any { return p.Address }), res.Pagination, nil
	}
	pagetest.Check(t, list, pagetest.IDs(addrs, func(a sdk.AccAddress) any { return a.String() }), pagetest.All)
}

// TestVerdictsPaging: a deal's and a unit's verdicts by epoch.
func TestVerdictsPaging(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, dealID)
	d := s.deal(dealID)
	k := s.app.OrchestratorKeeper
	zero := sdkmath.ZeroInt()
	epochs := []int64{3, 4, 5, 6}
	for _, epoch := range epochs {
		require.NoError(t, k.DealVerdicts.Set(s.ctx(), joinVerdict(dealID, epoch), types.DealVerdict{
			DealId: dealID, UnitId: unitID, Provider: d.Provider, Consumer: d.Consumer, Epoch: epoch,
			EpochPayment: zero, Refund: zero, RefundFromBond: zero,
		}))
		require.NoError(t, k.UnitVerdicts.Set(s.ctx(), joinVerdict(unitID, epoch), types.UnitVerdict{
			UnitId: unitID, Provider: d.Provider, Epoch: epoch, Slashed: zero, SlashedToPool: zero,
		}))
	}
	// Another deal's and unit's verdicts stay out of the listings.
	require.NoError(t, k.DealVerdicts.Set(s.ctx(), joinVerdict(dealID+1, 1), types.DealVerdict{DealId: dealID + 1, Epoch: 1}))
	require.NoError(t, k.UnitVerdicts.Set(s.ctx(), joinVerdict(unitID+1, 1), types.UnitVerdict{UnitId: unitID + 1, Epoch: 1}))

	want := pagetest.IDs(epochs, func(e int64) any { return e })
	pagetest.Check(t, func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		res, err := s.queries.DealVerdicts(s.ctx(), &types.QueryDealVerdictsRequest{DealId: dealID, Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Verdicts, func(v types.DealVerdict) any { return v.Epoch }), res.Pagination, nil
	}, want, pagetest.All)
	pagetest.Check(t, func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		res, err := s.queries.UnitVerdicts(s.ctx(), &types.QueryUnitVerdictsRequest{UnitId: unitID, Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Verdicts, func(v types.UnitVerdict) any { return v.Epoch }), res.Pagination, nil
	}, want, pagetest.All)
}

// TestDueFailuresPaging: the failure records, by kind then id.
func TestDueFailuresPaging(t *testing.T) {
	s := newSuite(t, func(p *types.Params) { p.DealRequestTtl = time.Hour })
	unitID := s.market()
	var requests []uint64
	for range 4 {
		requests = append(requests, s.requestDeal(dealMsg(s.consumer, unitID)))
	}
	s.injectFaults(types.DueDeal, requests...)
	s.advance(time.Hour)
	pagetest.Check(t, func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		res, err := s.queries.DueFailures(s.ctx(), &types.QueryDueFailuresRequest{Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Failures, func(f types.DueFailure) any { return f.Id }), res.Pagination, nil
	}, ids(requests...), pagetest.All)
}

func joinVerdict(id uint64, epoch int64) collections.Pair[uint64, int64] {
	return collections.Join(id, epoch)
}
