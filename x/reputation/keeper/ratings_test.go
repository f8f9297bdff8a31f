package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

func (s *suite) rate(consumer sdk.AccAddress, dealID uint64, stars uint32) {
	s.t.Helper()
	_, err := s.msgs.RateProvider(s.ctx(), &types.MsgRateProvider{Consumer: consumer.String(), DealId: dealID, Stars: stars})
	require.NoError(s.t, err)
}

// Who may rate: the deal's consumer, once the provider accepted the deal,
// once per deal; bad input is rejected and changes nothing.
func TestRatingEligibility(t *testing.T) {
	s := newSuite(t, flatRatingWeights)
	unitID, dealID := s.market()
	s.registerConsumer(s.consumer2)
	pending := s.requestDeal(s.consumer2, unitID)

	rate := func(m types.MsgRateProvider) func() error {
		return func() error { return s.deliver(&m) }
	}
	c := s.consumer.String()
	for _, tc := range []struct {
		name string
		msg  types.MsgRateProvider
		want error
	}{
		{"no such deal", types.MsgRateProvider{Consumer: c, DealId: 999, Stars: 5}, types.ErrNotFound},
		{"someone else's deal", types.MsgRateProvider{Consumer: s.stranger.String(), DealId: dealID, Stars: 5}, types.ErrNotEligible},
		{"a deal never accepted", types.MsgRateProvider{Consumer: s.consumer2.String(), DealId: pending, Stars: 5}, types.ErrNotEligible},
		{"zero stars", types.MsgRateProvider{Consumer: c, DealId: dealID, Stars: 0}, types.ErrInvalidInput},
		{"six stars", types.MsgRateProvider{Consumer: c, DealId: dealID, Stars: 6}, types.ErrInvalidInput},
		{"no deal id", types.MsgRateProvider{Consumer: c, Stars: 5}, types.ErrInvalidInput},
		{"comment over max_comment_length", types.MsgRateProvider{Consumer: c, DealId: dealID, Stars: 5, Comment: strings.Repeat("a", 281)}, types.ErrInvalidInput},
		{"comment over the hard cap", types.MsgRateProvider{Consumer: c, DealId: dealID, Stars: 5, Comment: strings.Repeat("a", 5000)}, types.ErrInvalidInput},
		{"control character", types.MsgRateProvider{Consumer: c, DealId: dealID, Stars: 5, Comment: "ok\x00"}, types.ErrInvalidInput},
		{"invalid UTF-8", types.MsgRateProvider{Consumer: c, DealId: dealID, Stars: 5, Comment: "\xff"}, types.ErrInvalidInput},
		{"bad address", types.MsgRateProvider{Consumer: "flash1nope", DealId: dealID, Stars: 5}, sdkerrors.ErrInvalidAddress},
	} {
		t.Run(tc.name, func(t *testing.T) { s.requireErrUnchanged(tc.want, rate(tc.msg)) })
	}

	_, err := s.msgs.RateProvider(s.ctx(), &types.MsgRateProvider{Consumer: c, DealId: dealID, Stars: 4, Comment: strings.Repeat("a", 280)})
	require.NoError(t, err)
	s.requireErrUnchanged(types.ErrAlreadyRated, rate(types.MsgRateProvider{Consumer: c, DealId: dealID, Stars: 1}))

	// A cancelled request stays unratable; a closed deal can still be rated.
	_, err = s.orch.CancelDealRequest(s.ctx(), &orchtypes.MsgCancelDealRequest{Consumer: s.consumer2.String(), DealId: pending})
	require.NoError(t, err)
	s.requireErrUnchanged(types.ErrNotEligible, rate(types.MsgRateProvider{Consumer: s.consumer2.String(), DealId: pending, Stars: 5}))
	closed := s.openDeal(s.consumer2, unitID)
	s.block(time.Minute)
	_, err = s.orch.CloseDeal(s.ctx(), &orchtypes.MsgCloseDeal{Sender: s.consumer2.String(), DealId: closed})
	require.NoError(t, err)
	orchParams, err := s.app.OrchestratorKeeper.Params.Get(s.ctx())
	require.NoError(t, err)
	s.block(orchParams.ConsumerCloseNotice) // the notice runs out
	require.Equal(t, orchtypes.DEAL_STATE_CLOSED, s.deal(closed).State)
	s.rate(s.consumer2, closed, 2)

	res, err := s.queries.Ratings(s.ctx(), &types.QueryRatingsRequest{Provider: s.provider.String()})
	require.NoError(t, err)
	require.Len(t, res.Ratings, 2)
	require.Equal(t, dealID, res.Ratings[0].DealId)
	require.Equal(t, uint32(4), res.Ratings[0].Stars)
	require.Equal(t, s.provider.String(), res.Ratings[0].Provider)
	require.True(t, res.Ratings[0].Recent)
}

// The community score, worked by hand (stars × 20 on the 0–100 scale;
// verified consumers weigh 1.5, ratings from the last recent_rating_window
// weigh 2; public from 10 ratings; overall = 0.7 × objective + 0.3 ×
// community, truncated):
//
//  1. objective 60 (five EXCEEDED epochs); nine 5★ ratings from an
//     unverified consumer: not public, overall = objective = 60;
//  2. a verified consumer's 1★ makes ten: community =
//     (9 × 5 + 1.5 × 1) / (9 + 1.5) × 20 = 88.57 → 88; overall =
//     0.7 × 60 + 0.3 × 88 = 68.4 → 68;
//  3. two hours later all ten are old; the same ratio, still 88;
//  4. a new unverified 1★ is recent and weighs 2: (2 × 1 + 46.5) /
//     (2 × 1 + 10.5) × 20 = 77.6 → 77 (82 if recency did not count);
//     overall 0.7 × 60 + 0.3 × 77 = 65.1 → 65;
//  5. once it ages: (1 + 46.5) / 11.5 × 20 = 82.6 → 82; overall 66.6 → 66.
func TestCommunityScoreWeightingAndVisibility(t *testing.T) {
	s := newSuite(t, flatRatingWeights, options{reputation: func(p *types.Params) { p.RecentRatingWindow = 2 * time.Hour }})
	unitID, first := s.market()
	s.epochs(5, unitID, qosExceeded)
	s.qos.units[unitID] = qosUnknown
	s.registerConsumer(s.consumer2)
	_, err := s.orch.VerifyConsumer(s.ctx(), &orchtypes.MsgVerifyConsumer{Authority: s.arbiter.String(), Consumer: s.consumer2.String(), Verified: true})
	require.NoError(t, err)

	deals := []uint64{first}
	for range 10 {
		deals = append(deals, s.openDeal(s.consumer, unitID))
	}
	verifiedDeal := s.openDeal(s.consumer2, unitID)
	s.block(time.Minute) // every deal has paid its provider something

	check := func(step string, community uint32, public bool, overall uint32, count uint64) {
		t.Helper()
		ps := s.providerScore(s.provider).Score
		require.Equal(t, uint32(60), ps.Objective, step)
		require.Equal(t, community, ps.CommunityScore, step)
		require.Equal(t, public, ps.CommunityPublic, step)
		require.Equal(t, overall, ps.Overall, step)
		require.Equal(t, count, ps.Community.Count, step)
	}

	for _, id := range deals[:9] {
		s.rate(s.consumer, id, 5)
	}
	check("1: nine ratings, not public", 100, false, 60, 9)

	s.rate(s.consumer2, verifiedDeal, 1)
	check("2: ten ratings, public", 88, true, 68, 10)

	s.epochs(2, unitID, qosUnknown)
	check("3: all old", 88, true, 68, 10)

	s.rate(s.consumer, deals[9], 1)
	check("4: a recent 1★ weighs double", 77, true, 65, 11)

	s.epochs(2, unitID, qosUnknown)
	check("5: aged", 82, true, 66, 11)
}
