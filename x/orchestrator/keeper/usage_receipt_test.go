package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// egressPrice is the test unit's egress price: 0.05 FLASH per GB served.
const egressPrice = 50_000

const gb = types.BytesPerGB

// withKey gives an account a key on chain, as its first transaction would,
// and returns the private key that signs its receipts.
func (s *suite) withKey(addr sdk.AccAddress) cryptotypes.PrivKey {
	s.t.Helper()
	priv := secp256k1.GenPrivKey()
	acc := s.app.AccountKeeper.GetAccount(s.ctx(), addr)
	require.NotNil(s.t, acc)
	require.NoError(s.t, acc.SetPubKey(priv.PubKey()))
	s.app.AccountKeeper.SetAccount(s.ctx(), acc)
	return priv
}

func (s *suite) receipt(priv cryptotypes.PrivKey, r types.UsageReceipt) *types.MsgSubmitUsageReceipt {
	s.t.Helper()
	if r.ChainId == "" {
		r.ChainId = s.ctx().ChainID()
	}
	sig, err := priv.Sign(types.UsageReceiptSignBytes(r))
	require.NoError(s.t, err)
	return &types.MsgSubmitUsageReceipt{
		Provider: s.provider.String(), DealId: r.DealId, BytesServed: r.BytesServed, Sequence: r.Sequence, ConsumerSignature: sig,
	}
}

// egressDeal is the reference deal on a unit priced for egress, accepted.
func (s *suite) egressDeal() (uint64, cryptotypes.PrivKey) {
	s.t.Helper()
	s.registerProvider(s.provider)
	s.registerConsumer(s.consumer)
	unitID := s.createUnit(s.provider, func(m *types.MsgCreateDataUnit) { m.PricePerGbEgress = egressPrice })
	require.Equal(s.t, uint64(egressPrice), s.unit(unitID).PricePerGbEgress)
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, dealID)
	return dealID, s.withKey(s.consumer)
}

func TestUsageReceiptsChargeEgressFromEscrow(t *testing.T) {
	s := newSuite(t)
	dealID, consumerKey := s.egressDeal()
	require.Equal(t, uint64(egressPrice), s.deal(dealID).PricePerGbEgress, "the deal keeps the unit's egress price")
	s.advance(day)

	// 3.5 GB served: 3.5 × 50,000 = 175,000 uflash, from the escrow.
	escrow := s.deal(dealID).Escrow()
	ctx := s.ctx()
	res, err := s.msgs.SubmitUsageReceipt(ctx, s.receipt(consumerKey, types.UsageReceipt{DealId: dealID, BytesServed: 3*gb + gb/2, Sequence: 1}))
	require.NoError(t, err)
	require.Equal(t, int64(175_000), res.Charged.Int64())
	d := s.deal(dealID)
	require.Equal(t, int64(175_000), d.EgressCharged.Int64())
	require.True(t, d.EgressUnpaid.IsZero())
	require.Equal(t, uint64(3*gb+gb/2), d.EgressBilledBytes)
	require.Equal(t, uint64(1), d.ReceiptSequence)
	require.Equal(t, escrow.SubRaw(175_000), d.Escrow(), "egress comes out of the escrow")
	events := typedEvents[*types.EventEgressCharged](ctx.EventManager().ABCIEvents())
	require.Len(t, events, 1)
	require.Equal(t, uint64(3*gb+gb/2), events[0].Bytes)
	require.Equal(t, uflash(175_000), events[0].Charged)

	// Receipts are cumulative: 5 GB in all bills the 1.5 GB not billed yet.
	// Sequences may skip (a lost receipt is covered by the next).
	res, err = s.msgs.SubmitUsageReceipt(s.ctx(), s.receipt(consumerKey, types.UsageReceipt{DealId: dealID, BytesServed: 5 * gb, Sequence: 4}))
	require.NoError(t, err)
	require.Equal(t, int64(75_000), res.Charged.Int64())
	require.Equal(t, int64(250_000), s.deal(dealID).EgressCharged.Int64())
	s.advance(time.Hour)

	// The provider withdraws storage and egress together; the platform fee
	// (0.5 %) is taken on both.
	provider0 := s.balance(s.provider)
	w, err := s.msgs.WithdrawEarnings(s.ctx(), &types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID}})
	require.NoError(t, err)
	earned := s.deal(dealID).Accrued.AddRaw(250_000) // settled by the withdrawal
	require.Equal(t, earned, w.Net.Amount.Add(w.Fee.Amount))
	require.Equal(t, earned.MulRaw(50).QuoRaw(10_000), w.Fee.Amount)
	require.Equal(t, provider0.Add(w.Net.Amount), s.balance(s.provider))

	// The consumer closes the deal: the refund is what is left after the
	// storage accrued and the egress charged; money is conserved
	// (invariants run after every block).
	consumer0 := s.balance(s.consumer)
	_, err = s.msgs.CloseDeal(s.ctx(), &types.MsgCloseDeal{Sender: s.consumer.String(), DealId: dealID})
	require.NoError(t, err)
	s.advance(31 * day)
	d = s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_CLOSED, d.State)
	require.Equal(t, consumer0.Add(d.Refunded), s.balance(s.consumer))
	require.Equal(t, d.Deposited, d.Refunded.Add(d.Accrued).Add(d.EgressCharged))
}

// Billing in many receipts costs what one receipt would: the cost is
// floored on the cumulative bytes, not per receipt.
func TestUsageReceiptsRoundOnTheTotal(t *testing.T) {
	s := newSuite(t)
	dealID, consumerKey := s.egressDeal()
	var charged int64
	for seq := uint64(1); seq <= 10; seq++ {
		// 0.3 GB each: 15,000 uflash each, but 1/3 of a GB each at a price
		// that makes every receipt fractional.
		res, err := s.msgs.SubmitUsageReceipt(s.ctx(), s.receipt(consumerKey, types.UsageReceipt{DealId: dealID, BytesServed: seq * (gb / 3), Sequence: seq}))
		require.NoError(t, err)
		charged += res.Charged.Int64()
	}
	require.Equal(t, types.EgressCost(egressPrice, 10*(gb/3)).Int64(), charged)
	require.Equal(t, int64(166_666), charged)
}

// A receipt for more than the escrow holds charges what is there and
// records the rest as unpaid; the deal has run dry and overdraws.
func TestUsageReceiptBeyondEscrow(t *testing.T) {
	s := newSuite(t)
	dealID, consumerKey := s.egressDeal()
	s.advance(day)
	escrow := s.deal(dealID).Escrow()
	cost := types.EgressCost(egressPrice, 100*gb) // 5,000,000 > the 2,000,000 deposit
	res, err := s.msgs.SubmitUsageReceipt(s.ctx(), s.receipt(consumerKey, types.UsageReceipt{DealId: dealID, BytesServed: 100 * gb, Sequence: 1}))
	require.NoError(t, err)
	require.Equal(t, escrow, res.Charged)
	d := s.deal(dealID)
	require.True(t, d.Escrow().IsZero())
	require.Equal(t, cost.Sub(escrow), d.EgressUnpaid)
	s.advance(time.Second)
	require.Equal(t, types.DEAL_STATE_OVERDRAWN, s.deal(dealID).State, "the deal has nothing left for storage")

	// A top-up revives it; the unpaid egress stays a record, not a debt the
	// top-up pays.
	_, err = s.msgs.TopUpDeal(s.ctx(), &types.MsgTopUpDeal{Consumer: s.consumer.String(), DealId: dealID, Amount: uflash(1_000_000)})
	require.NoError(t, err)
	s.advance(time.Second)
	d = s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_ACTIVE, d.State)
	require.Equal(t, cost.Sub(escrow), d.EgressUnpaid)
}

// A unit without an egress price bills nothing, but receipts still move
// the deal's counters (the provider may publish its served bytes).
func TestUsageReceiptAtZeroPrice(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, dealID)
	key := s.withKey(s.consumer)
	res, err := s.msgs.SubmitUsageReceipt(s.ctx(), s.receipt(key, types.UsageReceipt{DealId: dealID, BytesServed: 7 * gb, Sequence: 1}))
	require.NoError(t, err)
	require.True(t, res.Charged.IsZero())
	require.Equal(t, uint64(7*gb), s.deal(dealID).EgressBilledBytes)
}

func TestUsageReceiptRejects(t *testing.T) {
	s := newSuite(t)
	dealID, consumerKey := s.egressDeal()
	_, err := s.msgs.SubmitUsageReceipt(s.ctx(), s.receipt(consumerKey, types.UsageReceipt{DealId: dealID, BytesServed: 2 * gb, Sequence: 5}))
	require.NoError(t, err)

	// A second deal, still pending, and a consumer that never signed a
	// transaction (no key on chain).
	s.registerConsumer(s.consumer2)
	pendingID := s.requestDeal(dealMsg(s.consumer, s.deal(dealID).UnitId))
	noKeyID := s.requestDeal(dealMsg(s.consumer2, s.deal(dealID).UnitId))
	s.accept(s.provider, noKeyID)

	other := secp256k1.GenPrivKey()
	valid := func(edit func(*types.UsageReceipt)) *types.MsgSubmitUsageReceipt {
		r := types.UsageReceipt{DealId: dealID, BytesServed: 3 * gb, Sequence: 6}
		edit(&r)
		return s.receipt(consumerKey, r)
	}
	cases := map[string]struct {
		msg  *types.MsgSubmitUsageReceipt
		want error
	}{
		"replayed receipt": {s.receipt(consumerKey, types.UsageReceipt{DealId: dealID, BytesServed: 2 * gb, Sequence: 5}), types.ErrStaleReceipt},
		"older sequence":   {valid(func(r *types.UsageReceipt) { r.Sequence = 4 }), types.ErrStaleReceipt},
		"fewer bytes":      {valid(func(r *types.UsageReceipt) { r.BytesServed = gb }), types.ErrStaleReceipt},
		"same bytes":       {valid(func(r *types.UsageReceipt) { r.BytesServed = 2 * gb }), types.ErrStaleReceipt},
		"signed by someone else": {func() *types.MsgSubmitUsageReceipt {
			return s.receipt(other, types.UsageReceipt{DealId: dealID, BytesServed: 3 * gb, Sequence: 6})
		}(), types.ErrInvalidReceipt},
		"signed for another chain": {valid(func(r *types.UsageReceipt) { r.ChainId = "other-chain" }), types.ErrInvalidReceipt},
		"signature of another deal": {func() *types.MsgSubmitUsageReceipt {
			m := s.receipt(consumerKey, types.UsageReceipt{DealId: pendingID, BytesServed: 3 * gb, Sequence: 6})
			m.DealId = dealID
			return m
		}(), types.ErrInvalidReceipt},
		"bytes changed after signing": {func() *types.MsgSubmitUsageReceipt {
			m := valid(func(*types.UsageReceipt) {})
			m.BytesServed = 300 * gb
			return m
		}(), types.ErrInvalidReceipt},
		"consumer without a key on chain": {func() *types.MsgSubmitUsageReceipt {
			m := s.receipt(other, types.UsageReceipt{DealId: noKeyID, BytesServed: gb, Sequence: 1})
			return m
		}(), types.ErrInvalidReceipt},
		"not the deal's provider": {func() *types.MsgSubmitUsageReceipt {
			m := valid(func(*types.UsageReceipt) {})
			m.Provider = s.provider2.String()
			return m
		}(), types.ErrUnauthorized},
		"pending deal":  {s.receipt(consumerKey, types.UsageReceipt{DealId: pendingID, BytesServed: gb, Sequence: 1}), types.ErrInvalidState},
		"unknown deal":  {s.receipt(consumerKey, types.UsageReceipt{DealId: 99, BytesServed: gb, Sequence: 1}), types.ErrDealNotFound},
		"zero sequence": {valid(func(r *types.UsageReceipt) { r.Sequence = 0 }), types.ErrInvalidReceipt},
		"zero bytes":    {valid(func(r *types.UsageReceipt) { r.BytesServed = 0 }), types.ErrInvalidReceipt},
		"no signature": {func() *types.MsgSubmitUsageReceipt {
			m := valid(func(*types.UsageReceipt) {})
			m.ConsumerSignature = nil
			return m
		}(), types.ErrInvalidReceipt},
		"oversized signature": {func() *types.MsgSubmitUsageReceipt {
			m := valid(func(*types.UsageReceipt) {})
			m.ConsumerSignature = make([]byte, types.MaxReceiptSignature+1)
			return m
		}(), types.ErrInvalidReceipt},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s.requireErrUnchanged(tc.want, func() error {
				return s.deliver(tc.msg)
			})
		})
	}

	// A closed deal's egress is no longer billed.
	_, err = s.msgs.CloseDeal(s.ctx(), &types.MsgCloseDeal{Sender: s.consumer.String(), DealId: dealID})
	require.NoError(t, err)
	s.advance(31 * day)
	require.Equal(t, types.DEAL_STATE_CLOSED, s.deal(dealID).State)
	s.requireErrUnchanged(types.ErrDealClosed, func() error {
		return s.deliver(valid(func(*types.UsageReceipt) {}))
	})
}

func TestEgressPriceBounds(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	msg := unitMsg(s.provider)
	msg.PricePerGbEgress = types.MaxPricePerGBEgress + 1
	s.requireErrUnchanged(types.ErrAmountTooLarge, func() error {
		return s.deliver(msg)
	})
	unitID := s.createUnit(s.provider, func(m *types.MsgCreateDataUnit) { m.PricePerGbEgress = egressPrice })
	// Updating the price applies to deals requested afterwards.
	s.registerConsumer(s.consumer)
	first := s.requestDeal(dealMsg(s.consumer, unitID))
	u := s.unit(unitID)
	_, err := s.msgs.UpdateDataUnit(s.ctx(), &types.MsgUpdateDataUnit{
		Provider: s.provider.String(), UnitId: unitID, CapacityGb: u.CapacityGb, PricePerGbMonth: u.PricePerGbMonth,
		Endpoint: u.Endpoint, Sla: u.Sla, PricePerGbEgress: 2 * egressPrice,
	})
	require.NoError(t, err)
	second := s.requestDeal(dealMsg(s.consumer, unitID))
	require.Equal(t, uint64(egressPrice), s.deal(first).PricePerGbEgress)
	require.Equal(t, uint64(2*egressPrice), s.deal(second).PricePerGbEgress)
}
