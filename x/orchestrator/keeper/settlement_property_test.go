package keeper_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// rapidT adapts a rapid.T to the suite (rapid has no Helper method).
type rapidT struct{ *rapid.T }

func (rapidT) Helper() {}

// TestSettlementConservesMoney drives one deal through random sequences of
// time passing, top-ups, withdrawals and early closes by either side, until
// it closes, and checks that every uflash deposited ends up exactly once
// with the provider, the community pool (platform fee) or back with the
// consumer — and that each party's balance moved by exactly that much.
func TestSettlementConservesMoney(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := newSuite(t)
		s.t = rapidT{rt}
		unitID := s.market()
		consumer0, provider0 := s.balance(s.consumer), s.balance(s.provider)

		capacity := rapid.Uint64Range(1, 1000).Draw(rt, "capacity_gb")
		term := time.Duration(rapid.IntRange(2, 120*24).Draw(rt, "term_hours")) * time.Hour
		monthly := types.MonthlyCost(sdkmath.NewInt(20_000), capacity)
		termCost := types.CostOver(monthly, types.TermSeconds(term))
		prepaid := min(term, 30*day)
		minDeposit := sdkmath.MaxInt(types.CostOver(monthly, types.TermSeconds(prepaid)), sdkmath.OneInt())
		deposit := minDeposit.Add(sdkmath.NewInt(rapid.Int64Range(0, termCost.Sub(minDeposit).Int64()).Draw(rt, "extra_deposit")))

		msg := dealMsg(s.consumer, unitID)
		msg.CapacityGb, msg.Term, msg.Deposit = capacity, term, uflash(deposit.Int64())
		dealID := s.requestDeal(msg)
		if rapid.Bool().Draw(rt, "accepted") {
			s.accept(s.provider, dealID)
		}

		net, fees := sdkmath.ZeroInt(), sdkmath.ZeroInt()
		withdraw := func() {
			res, err := s.msgs.WithdrawEarnings(s.ctx(), &types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID}})
			if errors.Is(err, types.ErrNothingToWithdraw) {
				return
			}
			require.NoError(rt, err)
			net, fees = net.Add(res.Net.Amount), fees.Add(res.Fee.Amount)
		}
		steps := rapid.IntRange(0, 10).Draw(rt, "steps")
		for i := 0; i < steps && s.deal(dealID).State != types.DEAL_STATE_CLOSED; i++ {
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0:
				s.advance(time.Duration(rapid.IntRange(1, 20*24).Draw(rt, "hours")) * time.Hour)
			case 1:
				d := s.deal(dealID)
				room := termCost.Sub(d.Deposited.Sub(d.Refunded))
				if d.Running() {
					room = d.CostUntil(*d.EndTime).Sub(d.Deposited.Sub(d.Refunded))
				}
				if room.IsPositive() {
					amt := rapid.Int64Range(1, room.Int64()).Draw(rt, "top_up")
					_, err := s.msgs.TopUpDeal(s.ctx(), &types.MsgTopUpDeal{Consumer: s.consumer.String(), DealId: dealID, Amount: uflash(amt)})
					require.NoError(rt, err)
				}
			case 2:
				withdraw()
			case 3, 4:
				sender := s.consumer
				if rapid.Bool().Draw(rt, "by_provider") {
					sender = s.provider
				}
				_, err := s.msgs.CloseDeal(s.ctx(), &types.MsgCloseDeal{Sender: sender.String(), DealId: dealID})
				if err != nil {
					require.True(rt, errors.Is(err, types.ErrInvalidState) || errors.Is(err, types.ErrDealClosed), err.Error())
				}
			}
		}
		// Let the deal run to its end (request expiry, term, notice or grace).
		for i := 0; s.deal(dealID).State != types.DEAL_STATE_CLOSED; i++ {
			require.Less(rt, i, 200, "the deal never closed")
			s.advance(day)
		}
		withdraw()

		d := s.deal(dealID)
		require.True(rt, d.Escrow().IsZero(), "escrow left: %s", d.Escrow())
		require.True(rt, d.Earnings().IsZero(), "earnings left: %s", d.Earnings())
		require.Equal(rt, d.Deposited, d.Withdrawn.Add(d.Refunded), "deposited = paid out + refunded")
		require.Equal(rt, d.Withdrawn, net.Add(fees), "paid out = net + fees")
		require.Equal(rt, fees, types.PlatformFee(s.params().PlatformFeeRate, sdkmath.ZeroInt(), sdkmath.ZeroInt(), d.Withdrawn),
			"the fee is exactly the rate on the cumulative amount")
		require.Equal(rt, consumer0.Sub(d.Deposited).Add(d.Refunded).Add(d.PenaltyPaid), s.balance(s.consumer))
		require.Equal(rt, provider0.Add(net), s.balance(s.provider))
	})
}
