package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// The leaderboard ranks best first, pages by key, shares ranks on ties and
// counts its total from the per-score counts.
func TestLeaderboardPagesAndRanks(t *testing.T) {
	s := newSuite(t, options{reputation: func(p *types.Params) { p.DeltaMet, p.DeltaExceeded = 5, 10 }})
	// A: 60 (EXCEEDED), B: 55 (MET), C: 55 (MET).
	for addr, q := range map[string]oracleSummary{s.provider.String(): qosExceeded, s.provider2.String(): qosMet, s.provider3.String(): qosMet} {
		p := mustAddr(addr)
		s.registerProvider(p)
		s.qos.units[s.createUnit(p)] = q
	}
	s.epoch()

	res, err := s.queries.Leaderboard(s.ctx(), &types.QueryLeaderboardRequest{Pagination: &query.PageRequest{Limit: 2, CountTotal: true}})
	require.NoError(t, err)
	require.Equal(t, uint64(3), res.Pagination.Total)
	require.Len(t, res.Entries, 2)
	require.Equal(t, s.provider.String(), res.Entries[0].Provider)
	require.Equal(t, uint64(1), res.Entries[0].Rank)
	require.Equal(t, uint32(60), res.Entries[0].Overall)
	require.Equal(t, uint64(2), res.Entries[1].Rank)
	require.Equal(t, uint32(55), res.Entries[1].Overall)
	require.NotNil(t, res.Pagination.NextKey)

	next, err := s.queries.Leaderboard(s.ctx(), &types.QueryLeaderboardRequest{Pagination: &query.PageRequest{Key: res.Pagination.NextKey}})
	require.NoError(t, err)
	require.Len(t, next.Entries, 1)
	require.Equal(t, uint64(2), next.Entries[0].Rank, "ties share a rank")
	require.Equal(t, uint32(55), next.Entries[0].Overall)
	require.NotEqual(t, res.Entries[1].Provider, next.Entries[0].Provider)

	require.Equal(t, uint64(2), s.providerScore(s.provider3).Rank)
}

// ProviderScore's rank and the Leaderboard agree: a registered provider
// that has no verdict or rating yet is at the baseline but unranked (rank 0)
// and not listed; once graded, it is listed at the rank ProviderScore gives.
// (The rank used to be computed for every registered provider, so a fresh
// provider read "rank 1" while the leaderboard was empty.)
func TestProviderScoreRankAgreesWithLeaderboard(t *testing.T) {
	s := newSuite(t)
	board := func() []types.LeaderboardEntry {
		t.Helper()
		res, err := s.queries.Leaderboard(s.ctx(), &types.QueryLeaderboardRequest{Pagination: &query.PageRequest{CountTotal: true}})
		require.NoError(t, err)
		require.Equal(t, uint64(len(res.Entries)), res.Pagination.Total)
		return res.Entries
	}
	requireListed := func(step string, addrs ...string) {
		t.Helper()
		entries := board()
		require.Len(t, entries, len(addrs), step)
		for i, a := range addrs {
			require.Equal(t, a, entries[i].Provider, step)
			ps := s.providerScore(mustAddr(a))
			require.Equal(t, entries[i].Rank, ps.Rank, "%s: %s's rank", step, a)
			require.Equal(t, entries[i].Overall, ps.Score.Overall, step)
		}
	}

	s.registerProvider(s.provider)
	ps := s.providerScore(s.provider)
	require.Equal(t, uint32(50), ps.Score.Overall, "at the baseline")
	require.Zero(t, ps.Rank, "unranked")
	requireListed("registered only")

	s.qos.units[s.createUnit(s.provider)] = qosMet
	s.epoch()
	requireListed("graded", s.provider.String())
	require.Equal(t, uint64(1), s.providerScore(s.provider).Rank)

	// A second provider, still ungraded, ranks nowhere — not 2nd, not 1st.
	s.registerProvider(s.provider2)
	s.createUnit(s.provider2)
	require.Zero(t, s.providerScore(s.provider2).Rank)
	requireListed("second provider ungraded", s.provider.String())

	s.epoch()
	requireListed("both graded", s.provider.String(), s.provider2.String())
	require.Equal(t, uint64(2), s.providerScore(s.provider2).Rank)
}

func TestQueriesRejectBadInput(t *testing.T) {
	s := newSuite(t)
	code := func(err error) codes.Code { return status.Code(err) }

	_, err := s.queries.ProviderScore(s.ctx(), &types.QueryProviderScoreRequest{Provider: "nope"})
	require.Equal(t, codes.InvalidArgument, code(err))
	_, err = s.queries.ProviderScore(s.ctx(), &types.QueryProviderScoreRequest{Provider: s.stranger.String()})
	require.Equal(t, codes.NotFound, code(err), "not a provider")
	_, err = s.queries.UnitScore(s.ctx(), &types.QueryUnitScoreRequest{UnitId: 42})
	require.Equal(t, codes.NotFound, code(err))
	_, err = s.queries.Ratings(s.ctx(), &types.QueryRatingsRequest{Provider: ""})
	require.Equal(t, codes.InvalidArgument, code(err))
	_, err = s.queries.Disputes(s.ctx(), &types.QueryDisputesRequest{Provider: "nope"})
	require.Equal(t, codes.InvalidArgument, code(err))
	for _, f := range []func() error{
		func() error { _, err := s.queries.Params(s.ctx(), nil); return err },
		func() error { _, err := s.queries.ProviderScore(s.ctx(), nil); return err },
		func() error { _, err := s.queries.UnitScore(s.ctx(), nil); return err },
		func() error { _, err := s.queries.Leaderboard(s.ctx(), nil); return err },
		func() error { _, err := s.queries.Ratings(s.ctx(), nil); return err },
		func() error { _, err := s.queries.Disputes(s.ctx(), nil); return err },
		func() error { _, err := s.queries.RewardPool(s.ctx(), nil); return err },
	} {
		require.Equal(t, codes.InvalidArgument, code(f()))
	}

	// A registered provider without verdicts is at the baseline, unranked.
	s.registerProvider(s.provider)
	ps := s.providerScore(s.provider)
	require.Equal(t, uint32(50), ps.Score.Overall)
	require.Zero(t, ps.Rank)
	require.Empty(t, ps.History)
	require.Empty(t, ps.Badges)
}

func TestFundRewardPool(t *testing.T) {
	s := newSuite(t)
	bal, pool := s.balance(s.stranger), s.pool()
	s.fundPool(5 * flash)
	require.Equal(t, bal.SubRaw(5*flash), s.balance(s.stranger))
	require.Equal(t, pool.AddRaw(5*flash), s.pool())

	fund := func(m types.MsgFundRewardPool) func() error {
		return func() error { return s.deliver(&m) }
	}
	s.requireErrUnchanged(types.ErrInvalidInput, fund(types.MsgFundRewardPool{Depositor: s.stranger.String(), Amount: uflash(0)}))
	s.requireErrUnchanged(types.ErrInvalidInput, fund(types.MsgFundRewardPool{Depositor: s.stranger.String(), Amount: sdkCoin("atom", 5)}))
	_, err := s.msgs.FundRewardPool(s.ctx(), &types.MsgFundRewardPool{Depositor: s.stranger.String(), Amount: uflash(10_000_000 * flash)})
	require.Error(t, err, "more than the depositor has")
	require.Equal(t, pool.AddRaw(5*flash), s.pool())
}
