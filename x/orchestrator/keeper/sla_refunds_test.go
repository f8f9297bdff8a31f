package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"cosmossdk.io/collections"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// A deal's life under a degrading unit, worked by hand (docs: the consumer
// is refunded (100 − unit score) % of the epoch's payment on MISSED and
// CRITICAL; CRITICAL slashes 10 % of the bond, half to the reward pool and
// half burned; three CRITICAL epochs in a row end the deal):
//
//	epoch  verdict   score before → after  refund                 slash (pool / burned)
//	A      MET       50 → 51                0                      —
//	B      MISSED    51 → 50                2,000 × 49 % =   980   —
//	C      CRITICAL  50 → 48                2,000 × 50 % = 1,000   100,000,000 (50,000,000 / 50,000,000)
//	D      CRITICAL  48 → 46                2,000 × 52 % = 1,040    90,000,000 (45,000,000 / 45,000,000)
//	E      CRITICAL  46 → 44                2,000 × 54 % = 1,080    81,000,000 (40,500,000 / 40,500,000)
//	       → third CRITICAL in a row: the deal ends (SLA_TERMINATION) and
//	         the rest of the escrow goes back to the consumer.
func TestRefundsSlashesAndTermination(t *testing.T) {
	s := newSlaSuite(t, 50)
	unitID, dealID := s.slaMarket()

	type row struct {
		qos                   oracletypes.QoSSummary
		verdict               types.SlaVerdict
		scoreBefore, score    uint32
		refund, slash, toPool int64
	}
	rows := []row{
		{qosMet, types.SLA_VERDICT_MET, 50, 51, 0, 0, 0},
		{qosMissed, types.SLA_VERDICT_MISSED, 51, 50, 980, 0, 0},
		{qosCritical, types.SLA_VERDICT_CRITICAL, 50, 48, 1_000, 100_000_000, 50_000_000},
		{qosCritical, types.SLA_VERDICT_CRITICAL, 48, 46, 1_040, 90_000_000, 45_000_000},
		{qosCritical, types.SLA_VERDICT_CRITICAL, 46, 44, 1_080, 81_000_000, 40_500_000},
	}
	totalRefund := sdkmath.ZeroInt()
	for i, r := range rows {
		consumer, bondBefore, pool, supply := s.balance(s.consumer), s.bondOf(s.provider), s.rewardPool(), s.supply()
		escrowRefundedBefore := s.deal(dealID).Refunded
		s.qos.units[unitID] = r.qos
		epoch := s.epoch()

		dv := s.dealVerdict(dealID, epoch)
		require.Equal(t, r.verdict, dv.Verdict, "epoch %d", i)
		require.Equal(t, int64(slaEpochPayment), dv.EpochPayment.Int64(), "a full epoch pays 2,000")
		require.Equal(t, r.scoreBefore, dv.UnitScore, "the refund uses the score before the epoch's verdict")
		require.Equal(t, r.refund, dv.Refund.Int64(), "epoch %d refund", i)
		require.True(t, dv.RefundFromBond.IsZero(), "the unwithdrawn earnings cover the refund")
		totalRefund = totalRefund.Add(dv.Refund)

		uv := s.unitVerdict(unitID, epoch)
		require.Equal(t, r.verdict, uv.Verdict)
		require.Equal(t, r.slash, uv.Slashed.Int64(), "epoch %d slash", i)
		require.Equal(t, r.toPool, uv.SlashedToPool.Int64())
		require.Equal(t, r.score, s.unitScore(unitID))

		burned := r.slash - r.toPool
		require.Equal(t, bondBefore.SubRaw(r.slash), s.bondOf(s.provider), "the bond pays the slash")
		require.Equal(t, pool.AddRaw(r.toPool), s.rewardPool(), "half the slash funds the reward pool")
		require.Equal(t, supply.SubRaw(burned), s.supply(), "the other half is burned")
		escrowRefund := s.deal(dealID).Refunded.Sub(escrowRefundedBefore)
		require.Equal(t, consumer.AddRaw(r.refund).Add(escrowRefund), s.balance(s.consumer), "the consumer gets the refund")
	}

	d := s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_CLOSED, d.State)
	require.Equal(t, types.CLOSE_REASON_SLA_TERMINATION, d.CloseReason)
	require.Equal(t, uint32(3), d.ConsecutiveCritical)
	require.Equal(t, int64(4_100), totalRefund.Int64())
	require.Equal(t, totalRefund, d.SlaRefunded)
	require.Equal(t, totalRefund, d.ClawedBack, "taken back from the provider's earnings")
	require.True(t, d.Escrow().IsZero(), "the rest of the escrow went back to the consumer")
	require.Equal(t, d.Deposited.Sub(d.Accrued), d.Refunded)
	require.Equal(t, types.DATA_UNIT_STATE_AVAILABLE, s.unit(unitID).State)

	// After the close the unit still gets verdicts; the deal does not.
	epoch := s.epoch()
	require.Equal(t, types.SLA_VERDICT_CRITICAL, s.unitVerdict(unitID, epoch).Verdict)
	_, err := s.app.OrchestratorKeeper.DealVerdicts.Get(s.ctx(), collections.Join(dealID, epoch))
	require.Error(t, err, "a closed deal is not checked")
}

// Refunds at other scores: with the unit at 0 (after the floor), a MISSED
// epoch refunds the whole payment; at 90, a tenth of it.
func TestRefundScalesWithUnitScore(t *testing.T) {
	for _, tc := range []struct {
		name   string
		raise  oracletypes.QoSSummary
		epochs int
		score  uint32
		refund int64
	}{
		{"score 90: 10 %", qosExceeded, 20, 90, 200},
		{"score 70: 30 %", qosExceeded, 10, 70, 600},
		{"score 50: 50 %", qosUnknown, 0, 50, 1_000},
		{"score 0: 100 %", qosMissed, 50, 0, 2_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSlaSuite(t, 50)
			unitID, dealID := s.slaMarket()
			s.epochs(tc.epochs, unitID, tc.raise)
			require.Equal(t, tc.score, s.unitScore(unitID))
			s.qos.units[unitID] = qosMissed
			epoch := s.epoch()
			dv := s.dealVerdict(dealID, epoch)
			require.Equal(t, tc.score, dv.UnitScore)
			require.Equal(t, tc.refund, dv.Refund.Int64())
		})
	}
}
