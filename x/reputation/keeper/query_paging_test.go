package keeper_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/testutil/pagetest"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Every list query of x/reputation, over its query server, against the
// SDK's pagination contract (testutil/pagetest).

// TestLeaderboardPaging: best first, ties by address; the total comes from
// the per-score counts, on every page.
func TestLeaderboardPaging(t *testing.T) {
	s := newSuite(t, options{reputation: func(p *types.Params) { p.DeltaMet, p.DeltaExceeded = 5, 10 }})
	tied := []sdk.AccAddress{s.provider2, s.provider3}
	for _, p := range append([]sdk.AccAddress{s.provider}, tied...) {
		s.registerProvider(p)
	}
	s.qos.units[s.createUnit(s.provider)] = qosExceeded // 60
	for _, p := range tied {
		s.qos.units[s.createUnit(p)] = qosMet // 55
	}
	s.epoch()
	if bytes.Compare(tied[0], tied[1]) > 0 {
		tied[0], tied[1] = tied[1], tied[0]
	}
	want := []string{s.provider.String(), tied[0].String(), tied[1].String()}
	pagetest.Check(t, func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		res, err := s.queries.Leaderboard(s.ctx(), &types.QueryLeaderboardRequest{Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Entries, func(e types.LeaderboardEntry) any { return e.Provider }), res.Pagination, nil
	}, want, pagetest.All)
}

// TestRatingsAndDisputesPaging: a provider's ratings; disputes — all, a
// provider's, a status's (all options), a provider's of one status (no
// offset: the status is checked on each of its disputes).
func TestRatingsAndDisputesPaging(t *testing.T) {
	s := newSuite(t, flatRatingWeights)
	unitID, first := s.market()
	deals := []uint64{first}
	for range 3 {
		deals = append(deals, s.openDeal(s.consumer, unitID))
	}
	s.registerProvider(s.provider2)
	s.registerConsumer(s.consumer2)
	otherDeal := s.openDeal(s.consumer2, s.createUnit(s.provider2))
	s.block(time.Minute) // every deal has paid its provider something
	for _, id := range deals {
		s.rate(s.consumer, id, 3)
	}
	s.rate(s.consumer2, otherDeal, 2)

	pagetest.Check(t, func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		res, err := s.queries.Ratings(s.ctx(), &types.QueryRatingsRequest{Provider: s.provider.String(), Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Ratings, func(r types.Rating) any { return r.DealId }), res.Pagination, nil
	}, pagetest.IDs(deals, func(id uint64) any { return id }), pagetest.All)

	fileRating := func(provider sdk.AccAddress, dealID uint64) uint64 {
		res, err := s.msgs.FileDispute(s.ctx(), &types.MsgFileDispute{
			Provider: provider.String(), Kind: types.DISPUTE_KIND_RATING, DealId: dealID, Reason: "never used the unit",
		})
		require.NoError(t, err)
		return res.DisputeId
	}
	var mine []uint64
	for _, id := range deals {
		mine = append(mine, fileRating(s.provider, id))
	}
	theirs := fileRating(s.provider2, otherDeal)
	_, err := s.msgs.ResolveDispute(s.ctx(), &types.MsgResolveDispute{Authority: s.arbiter.String(), DisputeId: mine[1], Upheld: false})
	require.NoError(t, err)

	disputes := func(req types.QueryDisputesRequest) pagetest.List {
		return func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
			r := req
			r.Pagination = page
			res, err := s.queries.Disputes(s.ctx(), &r)
			if err != nil {
				return nil, nil, err
			}
			return pagetest.IDs(res.Disputes, func(d types.Dispute) any { return d.Id }), res.Pagination, nil
		}
	}
	strs := func(ids ...uint64) []string { return pagetest.IDs(ids, func(id uint64) any { return id }) }
	open := types.DISPUTE_STATUS_OPEN
	pagetest.Check(t, disputes(types.QueryDisputesRequest{}), strs(append(mine, theirs)...), pagetest.All)
	pagetest.Check(t, disputes(types.QueryDisputesRequest{Provider: s.provider.String()}), strs(mine...), pagetest.All)
	pagetest.Check(t, disputes(types.QueryDisputesRequest{Status: open}), strs(mine[0], mine[2], mine[3], theirs), pagetest.All)
	pagetest.Check(t, disputes(types.QueryDisputesRequest{Provider: s.provider.String(), Status: open}),
		strs(mine[0], mine[2], mine[3]), pagetest.Supports{CountTotal: true})
}
