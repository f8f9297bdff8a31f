package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func unitIDs(units []types.DataUnit) []uint64 {
	ids := []uint64{}
	for _, u := range units {
		ids = append(ids, u.Id)
	}
	return ids
}

func TestMarketplaceRankingAndFilters(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	s.registerProvider(s.provider2)
	s.registerConsumer(s.consumer)

	plain := s.createUnit(s.provider)
	boosted := s.createUnit(s.provider, func(m *types.MsgCreateDataUnit) { m.PriorityFee = uflashPtr(100_000) })
	boostedMore := s.createUnit(s.provider2, func(m *types.MsgCreateDataUnit) {
		m.PriorityFee = uflashPtr(200_000)
		m.Region, m.Country, m.Api = "us-east", "US", types.API_COMPATIBILITY_GCS
	})
	cheap := s.createUnit(s.provider2, func(m *types.MsgCreateDataUnit) { m.PricePerGbMonth = sdkmath.NewInt(5_000) })
	full := s.createUnit(s.provider2, func(m *types.MsgCreateDataUnit) { m.CapacityGb = 100 })
	s.requestDeal(dealMsg(s.consumer, full)) // takes all 100 GB: no longer on the market

	list := func(req *types.QueryDataUnitsRequest) []uint64 {
		res, err := s.queries.DataUnits(s.ctx(), req)
		require.NoError(t, err)
		return unitIDs(res.DataUnits)
	}
	// Priority fee first; equal fee and reputation fall back to the id.
	require.Equal(t, []uint64{boostedMore, boosted, plain, cheap}, list(&types.QueryDataUnitsRequest{}))
	require.Equal(t, []uint64{boosted, plain, cheap}, list(&types.QueryDataUnitsRequest{Region: "eu-west"}))
	require.Equal(t, []uint64{boostedMore}, list(&types.QueryDataUnitsRequest{Country: "US"}))
	require.Equal(t, []uint64{boostedMore}, list(&types.QueryDataUnitsRequest{Api: types.API_COMPATIBILITY_GCS}))
	require.Equal(t, []uint64{cheap}, list(&types.QueryDataUnitsRequest{MaxPrice: "10000"}))
	require.Equal(t, []uint64{boosted, plain, cheap}, list(&types.QueryDataUnitsRequest{Region: "eu-west", MaxPrice: "20000", MinFreeGb: 1000}))
	require.Empty(t, list(&types.QueryDataUnitsRequest{MinFreeGb: 1001}))
	// A unit whose capacity is all taken is not on the market, whatever its state.
	require.Equal(t, types.DATA_UNIT_STATE_RESERVED, s.unit(full).State)
	require.Empty(t, list(&types.QueryDataUnitsRequest{State: types.DATA_UNIT_STATE_RESERVED}))

	// Reputation is the second key: a better score outranks among equal fees.
	require.NoError(t, s.app.OrchestratorKeeper.SetUnitReputation(s.ctx(), cheap, 90))
	require.Equal(t, []uint64{boostedMore, boosted, cheap, plain}, list(&types.QueryDataUnitsRequest{}))

	// Units that take no new deals are listed by state.
	_, err := s.msgs.DecommissionDataUnit(s.ctx(), &types.MsgDecommissionDataUnit{Provider: s.provider.String(), UnitId: plain})
	require.NoError(t, err)
	require.Equal(t, []uint64{plain}, list(&types.QueryDataUnitsRequest{State: types.DATA_UNIT_STATE_DECOMMISSIONED}))
	require.NotContains(t, list(&types.QueryDataUnitsRequest{}), plain)
}

func TestMarketplaceCertifiedAndPagination(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	s.registerProvider(s.provider2)
	var certifiedUnits []uint64
	for i := 0; i < 7; i++ {
		certifiedUnits = append(certifiedUnits, s.createUnit(s.provider))
		s.createUnit(s.provider2)
	}
	_, err := s.msgs.CertifyProvider(s.ctx(), &types.MsgCertifyProvider{Authority: s.certifier.String(), Provider: s.provider.String(), Certified: true})
	require.NoError(t, err)

	// Page through the certified units three at a time.
	var got []uint64
	var key []byte
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		res, err := s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{
			CertifiedOnly: true, Pagination: &query.PageRequest{Key: key, Limit: 3},
		})
		require.NoError(t, err)
		require.LessOrEqual(t, len(res.DataUnits), 3)
		got = append(got, unitIDs(res.DataUnits)...)
		key = res.Pagination.NextKey
		if len(key) == 0 {
			break
		}
	}
	require.Equal(t, certifiedUnits, got)

	// A key from another query is refused, and so is offset paging where
	// units are checked one by one (max_price); the plain market pages by
	// offset too (query_paging_test.go covers every option).
	res, err := s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{Pagination: &query.PageRequest{Limit: 1}})
	require.NoError(t, err)
	_, err = s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{Region: "us-east", Pagination: &query.PageRequest{Key: res.Pagination.NextKey}})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{MaxPrice: "20000", Pagination: &query.PageRequest{Offset: 3}})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	offset, err := s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{CertifiedOnly: true, Pagination: &query.PageRequest{Offset: 3, Limit: 2}})
	require.NoError(t, err)
	require.Equal(t, certifiedUnits[3:5], unitIDs(offset.DataUnits))
	_, err = s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{MaxPrice: "-3"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{Region: "Not A Region"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
}

func TestDealsQueriesAndStats(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	s.registerConsumer(s.consumer2)
	a := s.requestDeal(dealMsg(s.consumer, unitID))
	b := s.requestDeal(dealMsg(s.consumer2, unitID))
	c := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, a)
	_, err := s.msgs.DeclineDeal(s.ctx(), &types.MsgDeclineDeal{Provider: s.provider.String(), DealId: c})
	require.NoError(t, err)

	deals := func(req *types.QueryDealsRequest) []uint64 {
		res, err := s.queries.Deals(s.ctx(), req)
		require.NoError(t, err)
		ids := []uint64{}
		for _, d := range res.Deals {
			ids = append(ids, d.Id)
		}
		return ids
	}
	require.Equal(t, []uint64{a, c}, deals(&types.QueryDealsRequest{Consumer: s.consumer.String()}))
	require.Equal(t, []uint64{a, b, c}, deals(&types.QueryDealsRequest{Provider: s.provider.String()}))
	require.Equal(t, []uint64{a, b, c}, deals(&types.QueryDealsRequest{UnitId: unitID}))
	require.Equal(t, []uint64{a}, deals(&types.QueryDealsRequest{State: types.DEAL_STATE_ACTIVE}))
	require.Equal(t, []uint64{b}, deals(&types.QueryDealsRequest{State: types.DEAL_STATE_PENDING}))
	require.Equal(t, []uint64{c}, deals(&types.QueryDealsRequest{State: types.DEAL_STATE_CLOSED}))
	require.Empty(t, deals(&types.QueryDealsRequest{State: types.DEAL_STATE_OVERDRAWN}))
	// A state narrows a party's listing.
	require.Equal(t, []uint64{c}, deals(&types.QueryDealsRequest{Consumer: s.consumer.String(), State: types.DEAL_STATE_CLOSED}))
	require.Equal(t, []uint64{b}, deals(&types.QueryDealsRequest{Provider: s.provider.String(), State: types.DEAL_STATE_PENDING}))
	require.Equal(t, []uint64{a}, deals(&types.QueryDealsRequest{UnitId: unitID, State: types.DEAL_STATE_ACTIVE}))
	require.Empty(t, deals(&types.QueryDealsRequest{Consumer: s.consumer2.String(), State: types.DEAL_STATE_ACTIVE}))
	// Filtered pages hold only matching deals, and the next key resumes
	// after the last one: the provider's two non-pending deals, one a page.
	for _, state := range []types.DealState{types.DEAL_STATE_ACTIVE, types.DEAL_STATE_CLOSED} {
		var got []uint64
		var next []byte
		for {
			res, err := s.queries.Deals(s.ctx(), &types.QueryDealsRequest{Provider: s.provider.String(), State: state,
				Pagination: &query.PageRequest{Key: next, Limit: 1}})
			require.NoError(t, err)
			for _, d := range res.Deals {
				require.Equal(t, state, d.State)
				got = append(got, d.Id)
			}
			if next = res.Pagination.NextKey; next == nil {
				break
			}
		}
		require.Len(t, got, 1, "%s", state)
	}

	require.Equal(t, []uint64{a, b, c}, deals(&types.QueryDealsRequest{}), "no filter: every deal")
	for _, bad := range []*types.QueryDealsRequest{
		{Consumer: s.consumer.String(), UnitId: unitID},
		{Consumer: s.consumer.String(), Provider: s.provider.String(), State: types.DEAL_STATE_ACTIVE},
		{Consumer: s.consumer.String(), State: 42},
		{Consumer: "flash1bad"},
		{State: 42},
	} {
		_, err := s.queries.Deals(s.ctx(), bad)
		require.Equal(t, codes.InvalidArgument, status.Code(err), "%v", bad)
	}
	_, err = s.queries.Deal(s.ctx(), &types.QueryDealRequest{Id: 404})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = s.queries.DataUnit(s.ctx(), &types.QueryDataUnitRequest{Id: 404})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = s.queries.Provider(s.ctx(), &types.QueryProviderRequest{Address: s.stranger.String()})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = s.queries.Consumer(s.ctx(), &types.QueryConsumerRequest{Address: "nonsense"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	res, err := s.queries.Stats(s.ctx(), &types.QueryStatsRequest{})
	require.NoError(t, err)
	st := res.Stats
	require.Equal(t, uint64(1), st.Providers)
	require.Equal(t, uint64(2), st.Consumers)
	require.Equal(t, uint64(1), st.UnitsByState[types.DATA_UNIT_STATE_IN_USE])
	require.Equal(t, []uint64{0, 1, 1, 0, 1}, st.DealsByState)
	require.Equal(t, uint64(1000), st.CapacityOfferedGb)
	require.Equal(t, uint64(200), st.CapacityAllocatedGb)
	require.Equal(t, int64(1_000*flash), st.BondsHeld.Int64())
	require.Equal(t, int64(4_000_000), st.EscrowHeld.Int64())

	providers, err := s.queries.Providers(s.ctx(), &types.QueryProvidersRequest{})
	require.NoError(t, err)
	require.Len(t, providers.Providers, 1)

	// A second unit of the same provider: its deals are listed under the
	// provider (by unit, then deal id) but not under the first unit.
	other := s.createUnit(s.provider)
	d := s.requestDeal(dealMsg(s.consumer2, other))
	require.Equal(t, []uint64{a, b, c, d}, deals(&types.QueryDealsRequest{Provider: s.provider.String()}))
	require.Equal(t, []uint64{a, b, c}, deals(&types.QueryDealsRequest{UnitId: unitID}))
	require.Equal(t, []uint64{d}, deals(&types.QueryDealsRequest{UnitId: other}))
	require.Equal(t, []uint64{}, deals(&types.QueryDealsRequest{UnitId: 404}), "an unknown unit has no deals")
	// Pagination by key within one unit.
	page, err := s.queries.Deals(s.ctx(), &types.QueryDealsRequest{UnitId: unitID, Pagination: &query.PageRequest{Limit: 2}})
	require.NoError(t, err)
	require.Len(t, page.Deals, 2)
	require.NotEmpty(t, page.Pagination.NextKey)
	rest, err := s.queries.Deals(s.ctx(), &types.QueryDealsRequest{UnitId: unitID, Pagination: &query.PageRequest{Key: page.Pagination.NextKey}})
	require.NoError(t, err)
	require.Len(t, rest.Deals, 1)
	require.Equal(t, c, rest.Deals[0].Id)
	require.Empty(t, rest.Pagination.NextKey)
}
