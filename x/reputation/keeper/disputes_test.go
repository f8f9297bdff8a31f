package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

func (s *suite) fileVerdictDispute(provider sdk.AccAddress, unitID uint64, epoch int64) uint64 {
	s.t.Helper()
	res, err := s.msgs.FileDispute(s.ctx(), &types.MsgFileDispute{
		Provider: provider.String(), Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Epoch: epoch, Reason: "our own probes saw 99.99 % uptime",
	})
	require.NoError(s.t, err)
	return res.DisputeId
}

func (s *suite) resolve(by sdk.AccAddress, id uint64, upheld bool) {
	s.t.Helper()
	_, err := s.msgs.ResolveDispute(s.ctx(), &types.MsgResolveDispute{Authority: by.String(), DisputeId: id, Upheld: upheld, Resolution: "re-checked"})
	require.NoError(s.t, err)
}

func (s *suite) dispute(id uint64) types.Dispute {
	s.t.Helper()
	d, err := s.app.ReputationKeeper.Disputes.Get(s.ctx(), id)
	require.NoError(s.t, err)
	return d
}

func (s *suite) fundPool(amount int64) {
	s.t.Helper()
	_, err := s.msgs.FundRewardPool(s.ctx(), &types.MsgFundRewardPool{Depositor: s.stranger.String(), Amount: uflash(amount)})
	require.NoError(s.t, err)
}

// criticalEpoch runs one MET epoch (score 51) and then one CRITICAL epoch:
// the consumer is refunded 2,000 × 49 % = 980 (clawed back from the
// provider's earnings), the bond slashed 100,000,000 (half to the pool) and
// the score drops to 49. It returns that epoch.
func (s *suite) criticalEpoch(unitID uint64) int64 {
	s.t.Helper()
	s.epochs(1, unitID, qosMet)
	s.qos.units[unitID] = qosCritical
	epoch := s.epoch()
	s.qos.units[unitID] = qosUnknown
	require.Equal(s.t, uint32(49), s.unitScore(unitID))
	return epoch
}

// An upheld verdict dispute undoes the verdict for the provider exactly:
// the score change is reversed, the bond gets the slash back, the deal gets
// the clawed-back earnings back; the consumer keeps the refund and the
// reward pool pays for all of it.
func TestUpheldVerdictDisputeRestoresProviderExactly(t *testing.T) {
	s := newSuite(t)
	unitID, dealID := s.market()
	s.fundPool(1_000 * flash)
	epoch := s.criticalEpoch(unitID)

	require.Equal(t, int64(bond-100_000_000), s.bondOf(s.provider).Int64())
	require.Equal(t, int64(980), s.deal(dealID).ClawedBack.Int64())
	earningsBefore := s.deal(dealID).Earnings()
	consumer, pool, supply := s.balance(s.consumer), s.pool(), s.supply()

	id := s.fileVerdictDispute(s.provider, unitID, epoch)
	d := s.dispute(id)
	require.Equal(t, types.DISPUTE_STATUS_OPEN, d.Status)
	require.Equal(t, int32(-2), d.ScoreChange)

	s.resolve(s.arbiter, id, true)
	d = s.dispute(id)
	require.Equal(t, types.DISPUTE_STATUS_UPHELD, d.Status)
	require.Equal(t, s.arbiter.String(), d.ResolvedBy)
	require.Equal(t, int64(100_000_980), d.Restitution.Int64())
	require.True(t, d.Shortfall.IsZero())

	require.Equal(t, uint32(51), s.unitScore(unitID), "the −2 is reversed")
	require.Equal(t, int64(bond), s.bondOf(s.provider).Int64(), "the bond is whole again")
	require.True(t, s.deal(dealID).ClawedBack.IsZero(), "nothing is clawed back any more")
	require.Equal(t, earningsBefore.AddRaw(980), s.deal(dealID).Earnings(), "the earnings are back, withdrawable as usual")
	require.Equal(t, consumer, s.balance(s.consumer), "the consumer keeps its refund")
	require.Equal(t, pool.SubRaw(100_000_980), s.pool(), "the pool paid")
	require.Equal(t, supply, s.supply(), "no coin minted or burned")
	require.True(t, s.unitVerdict(unitID, epoch).Reversed)
	require.True(t, s.dealVerdict(dealID, epoch).Reversed)
	s.app.CheckInvariants(t)

	s.requireErrUnchanged(types.ErrDisputeNotOpen, func() error {
		_, err := s.msgs.ResolveDispute(s.ctx(), &types.MsgResolveDispute{Authority: s.arbiter.String(), DisputeId: id, Upheld: true})
		return err
	})
	s.requireErrUnchanged(types.ErrNothingToDispute, func() error {
		_, err := s.msgs.FileDispute(s.ctx(), &types.MsgFileDispute{
			Provider: s.provider.String(), Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Epoch: epoch, Reason: "again",
		})
		return err
	})
}

// A pool too small to pay restitution pays what it has, the bond first,
// and records the shortfall.
func TestUpheldDisputeShortfall(t *testing.T) {
	s := newSuite(t)
	unitID, dealID := s.market()
	epoch := s.criticalEpoch(unitID)
	pool := s.pool() // 50,000,000 from the slash, plus fee shares
	require.True(t, pool.LT(s.bondOf(s.provider)))

	id := s.fileVerdictDispute(s.provider, unitID, epoch)
	s.resolve(s.arbiter, id, true)
	d := s.dispute(id)
	require.Equal(t, pool, d.Restitution)
	require.Equal(t, int64(100_000_980)-pool.Int64(), d.Shortfall.Int64())
	require.True(t, s.pool().IsZero())
	require.Equal(t, int64(bond-100_000_000)+pool.Int64(), s.bondOf(s.provider).Int64())
	require.Equal(t, int64(980), s.deal(dealID).ClawedBack.Int64(), "nothing was left for the earnings")
}

// A rejected dispute changes nothing but the dispute.
func TestRejectedDisputeChangesNothing(t *testing.T) {
	s := newSuite(t)
	unitID, _ := s.market()
	epoch := s.criticalEpoch(unitID)
	id := s.fileVerdictDispute(s.provider, unitID, epoch)
	before := s.snapshot()
	_, err := s.msgs.ResolveDispute(s.ctx(), &types.MsgResolveDispute{Authority: s.gov, DisputeId: id, Upheld: false, Resolution: "the probes agree"})
	require.NoError(t, err)
	d := s.dispute(id)
	require.Equal(t, types.DISPUTE_STATUS_REJECTED, d.Status)
	require.Equal(t, s.gov, d.ResolvedBy, "governance may resolve too")
	require.Equal(t, uint32(49), s.unitScore(unitID))
	require.False(t, s.unitVerdict(unitID, epoch).Reversed)
	after := s.snapshot()
	require.Equal(t, before.balances, after.balances)
	require.Equal(t, before.orchestrator, after.orchestrator)
}

// Upholding a rating dispute hides the rating: it leaves the provider's
// community score but stays listed (hidden) for transparency.
func TestUpheldRatingDisputeHidesRating(t *testing.T) {
	s := newSuite(t, flatRatingWeights, options{reputation: func(p *types.Params) { p.MinPublicRatings = 2 }})
	unitID, first := s.market()
	second := s.openDeal(s.consumer, unitID)
	s.block(time.Minute) // the second deal has paid its provider something
	s.rate(s.consumer, first, 5)
	s.rate(s.consumer, second, 1)
	ps := s.providerScore(s.provider).Score
	require.Equal(t, uint32(60), ps.CommunityScore, "(5 + 1) / 2 × 20")
	require.True(t, ps.CommunityPublic)
	require.Equal(t, uint32(53), ps.Overall, "0.7 × 50 + 0.3 × 60 = 53")
	require.Equal(t, []uint64{1, 0, 0, 0, 1}, ps.Community.StarCounts, "one 1★, one 5★")

	res, err := s.msgs.FileDispute(s.ctx(), &types.MsgFileDispute{
		Provider: s.provider.String(), Kind: types.DISPUTE_KIND_RATING, DealId: second, Reason: "the consumer never used the unit",
	})
	require.NoError(t, err)
	s.resolve(s.arbiter, res.DisputeId, true)

	ps = s.providerScore(s.provider).Score
	require.Equal(t, uint64(1), ps.Community.Count)
	require.Equal(t, []uint64{0, 0, 0, 0, 1}, ps.Community.StarCounts, "the hidden 1★ no longer counts")
	require.Equal(t, uint32(100), ps.CommunityScore)
	require.False(t, ps.CommunityPublic, "one visible rating is under the threshold of 2")
	require.Equal(t, uint32(50), ps.Overall)
	r, err := s.app.ReputationKeeper.Ratings.Get(s.ctx(), second)
	require.NoError(t, err)
	require.True(t, r.Hidden)

	// Ageing skips a hidden rating; the sums stay right, and ageing does
	// not move the star counts.
	s.block(31 * 24 * time.Hour)
	ps = s.providerScore(s.provider).Score
	require.Equal(t, uint64(1), ps.Community.Count)
	require.Equal(t, []uint64{0, 0, 0, 0, 1}, ps.Community.StarCounts)
	require.Equal(t, uint32(100), ps.CommunityScore)
}

func TestDisputeRejectsBadInput(t *testing.T) {
	s := newSuite(t, flatRatingWeights, options{reputation: func(p *types.Params) { p.DisputeWindow = 3 * time.Hour }})
	s.registerProvider(s.provider2)
	unitID, dealID := s.market()
	critical := s.criticalEpoch(unitID)
	metEpoch := critical - 1
	s.rate(s.consumer, dealID, 3)

	file := func(m types.MsgFileDispute) func() error {
		return func() error { return s.deliver(&m) }
	}
	p := s.provider.String()
	for _, tc := range []struct {
		name string
		msg  types.MsgFileDispute
		want error
	}{
		{"another provider's verdict", types.MsgFileDispute{Provider: s.provider2.String(), Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Epoch: critical, Reason: "x"}, types.ErrUnauthorized},
		{"a MET verdict", types.MsgFileDispute{Provider: p, Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Epoch: metEpoch, Reason: "x"}, types.ErrNothingToDispute},
		{"no such verdict", types.MsgFileDispute{Provider: p, Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Epoch: 999, Reason: "x"}, types.ErrNotFound},
		{"no such rating", types.MsgFileDispute{Provider: p, Kind: types.DISPUTE_KIND_RATING, DealId: 999, Reason: "x"}, types.ErrNotFound},
		{"another provider's rating", types.MsgFileDispute{Provider: s.provider2.String(), Kind: types.DISPUTE_KIND_RATING, DealId: dealID, Reason: "x"}, types.ErrUnauthorized},
		{"no kind", types.MsgFileDispute{Provider: p, UnitId: unitID, Epoch: critical, Reason: "x"}, types.ErrInvalidInput},
		{"verdict without epoch", types.MsgFileDispute{Provider: p, Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Reason: "x"}, types.ErrInvalidInput},
		{"no reason", types.MsgFileDispute{Provider: p, Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Epoch: critical}, types.ErrInvalidInput},
		{"reason too long", types.MsgFileDispute{Provider: p, Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Epoch: critical, Reason: strings.Repeat("x", 513)}, types.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) { s.requireErrUnchanged(tc.want, file(tc.msg)) })
	}

	id := s.fileVerdictDispute(s.provider, unitID, critical)
	s.requireErrUnchanged(types.ErrDisputeExists, file(types.MsgFileDispute{Provider: p, Kind: types.DISPUTE_KIND_VERDICT, UnitId: unitID, Epoch: critical, Reason: "again"}))

	resolve := func(m types.MsgResolveDispute) func() error {
		return func() error { return s.deliver(&m) }
	}
	s.requireErrUnchanged(types.ErrUnauthorized, resolve(types.MsgResolveDispute{Authority: s.stranger.String(), DisputeId: id, Upheld: true}))
	s.requireErrUnchanged(types.ErrUnauthorized, resolve(types.MsgResolveDispute{Authority: p, DisputeId: id, Upheld: true}))
	s.requireErrUnchanged(types.ErrNotFound, resolve(types.MsgResolveDispute{Authority: s.arbiter.String(), DisputeId: 999, Upheld: true}))
	s.requireErrUnchanged(types.ErrInvalidInput, resolve(types.MsgResolveDispute{Authority: s.arbiter.String(), Upheld: true}))

	// The window closes dispute_window after the verdict.
	s.block(3 * time.Hour)
	s.requireErrUnchanged(types.ErrDisputeWindow, file(types.MsgFileDispute{Provider: p, Kind: types.DISPUTE_KIND_RATING, DealId: dealID, Reason: "late"}))

	// Queries: by provider, by status, all.
	for _, req := range []*types.QueryDisputesRequest{
		{Provider: p}, {Status: types.DISPUTE_STATUS_OPEN}, {Provider: p, Status: types.DISPUTE_STATUS_OPEN}, {},
	} {
		res, err := s.queries.Disputes(s.ctx(), req)
		require.NoError(t, err)
		require.Len(t, res.Disputes, 1, "%v", req)
		require.Equal(t, id, res.Disputes[0].Id)
	}
	res, err := s.queries.Disputes(s.ctx(), &types.QueryDisputesRequest{Status: types.DISPUTE_STATUS_UPHELD})
	require.NoError(t, err)
	require.Empty(t, res.Disputes)
	_, err = s.queries.Disputes(s.ctx(), &types.QueryDisputesRequest{Status: 9})
	require.Error(t, err)
	require.Equal(t, orchtypes.SLA_VERDICT_CRITICAL, s.unitVerdict(unitID, critical).Verdict)
}

// TestDisputedVerdictOutlivesRetention: a verdict disputed while it was
// kept is kept, with its deals' verdicts, until the dispute is resolved,
// however many epochs pass; upholding it then works, and pruning removes it
// afterwards. With a retention shorter than the time a resolution took, the
// verdict used to be pruned under the open dispute and upholding failed
// with "no verdict" for ever (found by the simulation).
func TestDisputedVerdictOutlivesRetention(t *testing.T) {
	s := newSuite(t, options{orchestrator: func(p *orchtypes.Params) { p.VerdictRetentionEpochs = 1 }})
	unitID, dealID := s.market()
	s.fundPool(1_000 * flash)
	epoch := s.criticalEpoch(unitID)
	id := s.fileVerdictDispute(s.provider, unitID, epoch)

	s.epochs(3, unitID, qosMet) // well past a one-epoch retention
	k := s.app.OrchestratorKeeper
	has, err := k.UnitVerdicts.Has(s.ctx(), joinVerdict(unitID, epoch))
	require.NoError(t, err)
	require.True(t, has, "the disputed unit verdict is kept")
	has, err = k.DealVerdicts.Has(s.ctx(), joinVerdict(dealID, epoch))
	require.NoError(t, err)
	require.True(t, has, "its deal's verdict too")
	older, err := k.UnitVerdicts.Has(s.ctx(), joinVerdict(unitID, epoch-1))
	require.NoError(t, err)
	require.False(t, older, "undisputed verdicts of that age are pruned")

	s.resolve(s.arbiter, id, true)
	require.Equal(t, types.DISPUTE_STATUS_UPHELD, s.dispute(id).Status)
	require.True(t, s.unitVerdict(unitID, epoch).Reversed)

	s.epochs(1, unitID, qosMet)
	has, err = k.UnitVerdicts.Has(s.ctx(), joinVerdict(unitID, epoch))
	require.NoError(t, err)
	require.False(t, has, "released, the verdict is pruned")
	has, err = k.HeldVerdicts.Has(s.ctx(), collections.Join(unitID, epoch))
	require.NoError(t, err)
	require.False(t, has)
}
