package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// perGBSecond prices a unit at 1 uflash per GB-second (2,592,000 uflash per
// GB-month), so that a deal of g GB pays its provider g uflash a second.
const perGBSecond = orchtypes.SecondsPerMonth

// createPricedUnit offers 10,000 GB at 1 uflash per GB-second.
func (s *suite) createPricedUnit(provider sdk.AccAddress) uint64 {
	s.t.Helper()
	res, err := s.orch.CreateDataUnit(s.ctx(), &orchtypes.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 10_000, PricePerGbMonth: sdkmath.NewInt(perGBSecond),
		Region: "eu-west", Country: "FR", Api: orchtypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.acme.example/priced",
		Sla: defaultSla(),
	})
	require.NoError(s.t, err)
	return res.UnitId
}

// openPricedDeal books gb on a priced unit for 48 hours, fully deposited,
// and has the provider accept it.
func (s *suite) openPricedDeal(consumer sdk.AccAddress, unitID, gb uint64) uint64 {
	s.t.Helper()
	term := 48 * time.Hour
	res, err := s.orch.RequestDeal(s.ctx(), &orchtypes.MsgRequestDeal{
		Consumer: consumer.String(), UnitId: unitID, CapacityGb: gb, Term: term, Sla: defaultSla(),
		Deposit: uflash(int64(gb) * int64(term/time.Second)),
	})
	require.NoError(s.t, err)
	_, err = s.orch.AcceptDeal(s.ctx(), &orchtypes.MsgAcceptDeal{Provider: s.unit(unitID).Provider, DealId: res.DealId})
	require.NoError(s.t, err)
	return res.DealId
}

func (s *suite) rating(dealID uint64) types.Rating {
	s.t.Helper()
	r, err := s.app.ReputationKeeper.Ratings.Get(s.ctx(), dealID)
	require.NoError(s.t, err)
	return r
}

// Ratings weigh what their deal paid, with the default params (a rating
// needs 1 FLASH paid; weight = (1.5 if verified, else 1) × min(paid,
// 100 FLASH)). After 30 hours at 1 uflash per GB-second:
//
//	honest  1,000 GB  unverified  paid 108 FLASH → weight 100e6 (capped)  2★
//	honest  1,000 GB  verified    paid 108 FLASH → weight 150e6 (capped)  2★
//	whale   5,000 GB  unverified  paid 540 FLASH → weight 100e6 (capped)  2★
//	dust        1 GB  self-deal   paid 0.108 FLASH → refused
//	cheap      10 GB  self-deal   paid 1.08 FLASH  → weight 1.08e6        5★
//
// The honest ratings give 2★ = 40. The cheap self-deal's 5★ leaves it at
// (2 × 350e6 + 5 × 1.08e6) / 351.08e6 × 20 = 40.18 → 40, where counting
// every rating alike would give (3 × 2 + 5) / 4 × 20 = 55; one more honest,
// well-paid 5★ (verified, 150e6) moves it to
// (705.4e6 + 750e6) / 501.08e6 × 20 = 58.09 → 58.
func TestCheapSelfDealRatingBarelyMovesCommunityScore(t *testing.T) {
	s := newSuite(t)
	params := s.params()
	require.Equal(t, types.DefaultMinRatingPayment, params.MinRatingPayment, "the defaults are under test")
	require.Equal(t, types.DefaultRatingPaymentCap, params.RatingPaymentCap)

	s.registerProvider(s.provider)
	unitID := s.createPricedUnit(s.provider)
	s.registerConsumer(s.consumer)
	s.registerConsumer(s.consumer2)
	_, err := s.orch.VerifyConsumer(s.ctx(), &orchtypes.MsgVerifyConsumer{Authority: s.arbiter.String(), Consumer: s.consumer2.String(), Verified: true})
	require.NoError(t, err)
	// The provider's second address books the cheapest deals it can.
	self := s.stranger
	s.registerConsumer(self)

	honest := s.openPricedDeal(s.consumer, unitID, 1_000)
	verified := s.openPricedDeal(s.consumer2, unitID, 1_000)
	verified2 := s.openPricedDeal(s.consumer2, unitID, 1_000)
	whale := s.openPricedDeal(s.consumer, unitID, 5_000)
	dust := s.openPricedDeal(self, unitID, 1)
	cheap := s.openPricedDeal(self, unitID, 10)

	// Right after acceptance nothing is paid: no one may rate yet.
	s.requireErrUnchanged(types.ErrRatingUnderpaid, func() error {
		return s.deliver(&types.MsgRateProvider{Consumer: s.consumer.String(), DealId: honest, Stars: 2})
	})

	s.block(30 * time.Hour)

	// The dust deal paid 108,000 uflash: below min_rating_payment, refused
	// with the registered error, and nothing changes.
	paid, err := s.app.OrchestratorKeeper.DealPaid(s.ctx(), dust)
	require.NoError(t, err)
	require.Equal(t, int64(108_000), paid.Int64())
	s.requireErrUnchanged(types.ErrRatingUnderpaid, func() error {
		return s.deliver(&types.MsgRateProvider{Consumer: self.String(), DealId: dust, Stars: 5})
	})

	s.rate(s.consumer, honest, 2)
	s.rate(s.consumer2, verified, 2)
	s.rate(s.consumer, whale, 2)
	require.Equal(t, uint32(40), s.providerScore(s.provider).Score.CommunityScore)

	// Weights: the payment, capped, times the verified weight. The whale
	// paid five times as much as the honest consumer and weighs the same.
	for _, tc := range []struct {
		deal   uint64
		paid   int64
		weight string
	}{
		{honest, 108_000_000, "100000000"},
		{verified, 108_000_000, "150000000"},
		{whale, 540_000_000, "100000000"},
	} {
		r := s.rating(tc.deal)
		require.Equal(t, tc.paid, r.Paid.Int64(), "deal %d", tc.deal)
		require.True(t, r.Weight.Equal(sdkmath.LegacyMustNewDecFromStr(tc.weight)), "deal %d weighs %s", tc.deal, r.Weight)
	}

	s.rate(self, cheap, 5)
	r := s.rating(cheap)
	require.Equal(t, int64(1_080_000), r.Paid.Int64())
	require.True(t, r.Weight.Equal(sdkmath.LegacyNewDec(1_080_000)), "weighs %s", r.Weight)
	ps := s.providerScore(s.provider).Score
	require.Equal(t, uint32(40), ps.CommunityScore, "the cheap 5★ moves the score by less than a point (equal weights: 55)")
	require.Equal(t, uint64(4), ps.Community.Count)

	s.rate(s.consumer2, verified2, 5)
	require.Equal(t, uint32(58), s.providerScore(s.provider).Score.CommunityScore, "an honest, well-paid 5★ does move it")
}

// A rating's payment is net of what went back to the consumer: SLA refunds
// (here from MISSED epochs) count against it, so a deal whose refunds keep
// it under min_rating_payment cannot be rated, and the payment recorded is
// the net one.
func TestRatingPaymentIsNetOfRefunds(t *testing.T) {
	// 2,000 uflash per epoch (the suite's standard deal); a rating needs
	// 10,000 net, and every MISSED epoch at score ~50 refunds about half.
	s := newSuite(t, options{reputation: func(p *types.Params) {
		p.MinRatingPayment, p.RatingPaymentCap = sdkmath.NewInt(10_000), sdkmath.NewInt(1_000_000)
	}})
	unitID, dealID := s.market()
	s.epochs(6, unitID, qosMissed)
	d := s.deal(dealID)
	require.True(t, d.SlaRefunded.IsPositive(), "MISSED epochs refunded the consumer")
	net := d.NetPaid(s.ctx().BlockTime())
	require.True(t, net.LT(sdkmath.NewInt(10_000)), "net %s", net)
	require.True(t, d.NetPaid(s.ctx().BlockTime()).Add(d.SlaRefunded).GTE(sdkmath.NewInt(12_000)), "gross is six epochs and more")
	s.requireErrUnchanged(types.ErrRatingUnderpaid, func() error {
		return s.deliver(&types.MsgRateProvider{Consumer: s.consumer.String(), DealId: dealID, Stars: 1})
	})

	// Good epochs: no refunds, the net payment passes the minimum.
	s.epochs(4, unitID, qosMet)
	d = s.deal(dealID)
	want := d.NetPaid(s.ctx().BlockTime())
	require.True(t, want.GTE(sdkmath.NewInt(10_000)), "net %s", want)
	s.rate(s.consumer, dealID, 4)
	r := s.rating(dealID)
	require.Equal(t, want, r.Paid, "the rating records the net payment")
	require.Equal(t, sdkmath.LegacyNewDecFromInt(want), r.Weight)
}
