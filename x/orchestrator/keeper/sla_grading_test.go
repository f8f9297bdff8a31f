package keeper_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"cosmossdk.io/collections"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// A unit's score must be earned against what its consumers were promised:
// nothing a provider edits by itself (its offered SLA) may raise the score
// or lower a refund (x/orchestrator README, "SLA enforcement").

// trivialSla promises nothing: any latency, no minimum, any error rate.
func trivialSla() types.Sla {
	return types.Sla{MaxLatencyMs: math.MaxUint32, MaxErrorRateBps: 10_000}
}

// The scenario. A provider sets a trivial SLA on a unit whose deal
// is MISSED every epoch. Graded against its own offer, the unit was
// EXCEEDED every epoch, reached 100 by the 25th and from then on refunded
// 0 of the 2,000 the deal paid per epoch. Now the unit's verdict is its
// deal's: MISSED every epoch, the score falls one point an epoch from the
// baseline, and the refund grows.
func TestTrivialUnitSlaCannotZeroRefunds(t *testing.T) {
	s := newSlaSuite(t, 50)
	unitID, dealID := s.slaMarket()
	s.updateUnitSla(unitID, trivialSla())
	s.qos.units[unitID] = qosMissed
	baseline := s.rep.baseline
	score := s.unitScore(unitID)
	require.Equal(t, baseline, score)
	for i := range 30 {
		epoch := s.epoch()
		dv := s.dealVerdict(dealID, epoch)
		require.Equal(t, types.SLA_VERDICT_MISSED, dv.Verdict, "epoch %d", i)
		require.Equal(t, score, dv.UnitScore, "epoch %d", i)
		require.Equal(t, int64(slaEpochPayment)*int64(100-score)/100, dv.Refund.Int64(), "epoch %d", i)
		require.True(t, dv.Refund.IsPositive(), "epoch %d: the consumer is refunded", i)

		uv := s.unitVerdict(unitID, epoch)
		require.Equal(t, types.SLA_VERDICT_MISSED, uv.Verdict, "epoch %d: the unit's verdict is its deal's", i)
		require.True(t, uv.FromDeals)
		require.Nil(t, uv.GradedSla)
		next := s.unitScore(unitID)
		require.Equal(t, score-1, next, "epoch %d: MISSED costs a point", i)
		require.LessOrEqual(t, next, baseline, "epoch %d: never above the baseline", i)
		score = next
	}
	require.Equal(t, trivialSla(), s.unit(unitID).Sla, "the trivial SLA came into force and earned nothing")
	require.Equal(t, baseline-30, score)
}

// With deals on the unit, its verdict is the worst of their verdicts, each
// against the deal's own SLA; the unit's offered SLA (trivial here) plays no
// part, and an EXCEEDED deal cannot lift a MET or MISSED one.
func TestUnitVerdictIsWorstOfItsDealVerdicts(t *testing.T) {
	s := newSlaSuite(t, 50)
	s.registerProvider(s.provider)
	s.registerConsumer(s.consumer)
	s.registerConsumer(s.consumer2)
	unitID := s.createUnitWithSla(s.provider, trivialSla())
	loose := trivialSla()
	loose.MaxLatencyMs = 1_000
	looseDeal := s.openDealWithSla(s.consumer, unitID, loose)
	defaultDeal := s.openDealWithSla(s.consumer2, unitID, defaultSla())
	s.epochs(1, unitID, qosUnknown)

	steps := []struct {
		name  string
		qos   oracletypes.QoSSummary
		deals map[uint64]types.SlaVerdict
		unit  types.SlaVerdict
	}{
		{"EXCEEDED and MET", qosMet, map[uint64]types.SlaVerdict{
			looseDeal: types.SLA_VERDICT_EXCEEDED, defaultDeal: types.SLA_VERDICT_MET,
		}, types.SLA_VERDICT_MET},
		{"no quorum: all UNKNOWN", qosUnknown, map[uint64]types.SlaVerdict{
			looseDeal: types.SLA_VERDICT_UNKNOWN, defaultDeal: types.SLA_VERDICT_UNKNOWN,
		}, types.SLA_VERDICT_UNKNOWN},
	}
	for _, step := range steps {
		s.qos.units[unitID] = step.qos
		epoch := s.epoch()
		for id, want := range step.deals {
			require.Equal(t, want, s.dealVerdict(id, epoch).Verdict, "%s: deal %d", step.name, id)
		}
		uv := s.unitVerdict(unitID, epoch)
		require.Equal(t, step.unit, uv.Verdict, step.name)
		require.True(t, uv.FromDeals, step.name)
		worst, err := s.app.OrchestratorKeeper.WorstDealVerdicts.Get(s.ctx(), collections.Join(epoch, unitID))
		require.NoError(t, err)
		require.Equal(t, int32(step.unit), worst, "%s: the worst deal verdict kept for the unit", step.name)
	}

	// A stricter consumer joins: its MISSED is the unit's verdict.
	strict := defaultSla()
	strict.MaxLatencyMs = 40
	strictDeal := s.openDealWithSla(s.consumer, unitID, strict)
	s.qos.units[unitID] = qosMet
	before := s.unitScore(unitID)
	epoch := s.epoch()
	require.Equal(t, types.SLA_VERDICT_EXCEEDED, s.dealVerdict(looseDeal, epoch).Verdict)
	require.Equal(t, types.SLA_VERDICT_MET, s.dealVerdict(defaultDeal, epoch).Verdict)
	require.Equal(t, types.SLA_VERDICT_MISSED, s.dealVerdict(strictDeal, epoch).Verdict)
	require.Equal(t, types.SLA_VERDICT_MISSED, s.unitVerdict(unitID, epoch).Verdict)
	require.Equal(t, before-1, s.unitScore(unitID))

	// CRITICAL is worse than everything.
	s.qos.units[unitID] = qosCritical
	epoch = s.epoch()
	for _, id := range []uint64{looseDeal, defaultDeal, strictDeal} {
		require.Equal(t, types.SLA_VERDICT_CRITICAL, s.dealVerdict(id, epoch).Verdict)
	}
	require.Equal(t, types.SLA_VERDICT_CRITICAL, s.unitVerdict(unitID, epoch).Verdict)
	require.True(t, s.unitVerdict(unitID, epoch).Slashed.IsPositive())
}

// Without a deal verdict in the epoch, a unit is graded against its offered
// SLA tightened to reference_sla, metric by metric: a trivial offer is
// graded against the reference and earns nothing it does not meet; an offer
// stricter than the reference is graded against itself.
func TestUnitWithoutDealsGradedAgainstReference(t *testing.T) {
	s := newSlaSuite(t, 50)
	s.registerProvider(s.provider)
	ref := s.params().ReferenceSla
	require.Equal(t, types.DefaultReferenceSla, ref)
	strict := defaultSla()
	strict.MaxLatencyMs = 30
	units := []struct {
		name    string
		offer   types.Sla
		qos     oracletypes.QoSSummary
		verdict types.SlaVerdict
	}{
		{"trivial offer, QoS misses the reference", trivialSla(), qosMissed, types.SLA_VERDICT_MISSED},
		{"trivial offer, QoS meets the reference", trivialSla(), qosMet, types.SLA_VERDICT_MET},
		{"offer stricter than the reference", strict, qosMet, types.SLA_VERDICT_MISSED},
	}
	ids := make([]uint64, len(units))
	for i, u := range units {
		ids[i] = s.createUnitWithSla(s.provider, u.offer)
		s.qos.units[ids[i]] = u.qos
	}
	for range 5 {
		epoch := s.epoch()
		for i, u := range units {
			v := s.unitVerdict(ids[i], epoch)
			require.Equal(t, u.verdict, v.Verdict, u.name)
			require.False(t, v.FromDeals, u.name)
			require.NotNil(t, v.GradedSla, u.name)
			require.Equal(t, types.TightenSla(u.offer, ref), *v.GradedSla, u.name)
		}
	}
	require.Equal(t, uint32(45), s.unitScore(ids[0]), "a trivial offer earns nothing: 5 MISSED epochs")
	require.Equal(t, uint32(55), s.unitScore(ids[1]))
	require.Equal(t, uint32(45), s.unitScore(ids[2]))
}

// An SLA change waits until the round of the epoch in which it was made has
// graded the unit: loosening the offer mid-epoch leaves that epoch's
// verdict as it would have been (a twin unit that was not updated gets the
// same), and the looser SLA grades the next epoch. The reference is made
// trivial here so that the offered SLA alone decides.
func TestLooserSlaLeavesCurrentEpochVerdict(t *testing.T) {
	s := newSlaSuite(t, 50, func(p *types.Params) { p.ReferenceSla = trivialSla() })
	s.registerProvider(s.provider)
	updated, twin := s.createUnit(s.provider), s.createUnit(s.provider)
	s.qos.units[updated], s.qos.units[twin] = qosMissed, qosMissed // latency 150 ms, offered 100 ms
	s.epoch()

	s.block(time.Minute) // into the epoch
	looser := defaultSla()
	looser.MaxLatencyMs = 200
	events := s.updateUnitSla(updated, looser)
	require.Len(t, typedEvents[*types.EventDataUnitSlaPending](events), 1)
	u := s.queryUnit(updated)
	require.Equal(t, defaultSla(), u.Sla, "the SLA in force is unchanged")
	require.NotNil(t, u.PendingSla)
	require.Equal(t, looser, *u.PendingSla, "the query shows the pending SLA")
	require.NotNil(t, u.PendingSlaSince)

	epoch, blockEvents := s.epochWithEvents()
	v, control := s.unitVerdict(updated, epoch), s.unitVerdict(twin, epoch)
	require.Equal(t, types.SLA_VERDICT_MISSED, v.Verdict, "graded against the SLA in force during the epoch")
	require.Equal(t, control.Verdict, v.Verdict)
	require.Equal(t, control.ScoreAfter, v.ScoreAfter)
	require.Equal(t, defaultSla(), *v.GradedSla)

	applied := typedEvents[*types.EventDataUnitSlaApplied](blockEvents)
	require.Len(t, applied, 1)
	require.Equal(t, types.EventDataUnitSlaApplied{UnitId: updated, Epoch: epoch, Sla: looser, Previous: defaultSla()}, *applied[0])
	u = s.queryUnit(updated)
	require.Equal(t, looser, u.Sla)
	require.Nil(t, u.PendingSla)
	require.Nil(t, u.PendingSlaSince)

	epoch = s.epoch()
	require.Equal(t, types.SLA_VERDICT_MET, s.unitVerdict(updated, epoch).Verdict, "the next epoch is graded against the new SLA")
	require.Equal(t, types.SLA_VERDICT_MISSED, s.unitVerdict(twin, epoch).Verdict)
}

// A change made while the previous epoch's round is still running (it
// spans blocks) is not applied by that round, which grades the unit
// against the old SLA, but after the round of the epoch it was made in.
func TestPendingSlaWaitsForItsOwnEpoch(t *testing.T) {
	s := newSlaSuite(t, 50, func(p *types.Params) {
		p.ReferenceSla = trivialSla()
		p.MaxVerdictsPerBlock = 1
	})
	s.registerProvider(s.provider)
	first, second := s.createUnit(s.provider), s.createUnit(s.provider)
	s.qos.units[first], s.qos.units[second] = qosMissed, qosMissed
	s.settleRounds()

	// The epoch ends: its round checks the first unit in this block only.
	s.block(time.Hour)
	rounds, err := s.queries.SlaRounds(s.ctx(), &types.QuerySlaRoundsRequest{})
	require.NoError(t, err)
	require.Len(t, rounds.Rounds, 1, "the round spans blocks")
	running := rounds.Rounds[0].Epoch
	looser := defaultSla()
	looser.MaxLatencyMs = 200
	s.updateUnitSla(second, looser)

	s.settleRounds()
	require.Equal(t, types.SLA_VERDICT_MISSED, s.unitVerdict(second, running).Verdict)
	require.Equal(t, defaultSla(), *s.unitVerdict(second, running).GradedSla)
	u := s.queryUnit(second)
	require.Equal(t, defaultSla(), u.Sla, "the running round did not apply a change made after its epoch ended")
	require.NotNil(t, u.PendingSla)

	// The epoch the change was made in is graded against the old SLA too;
	// then the change comes into force and grades the next one.
	s.block(time.Hour)
	s.settleRounds()
	require.Equal(t, types.SLA_VERDICT_MISSED, s.unitVerdict(second, running+1).Verdict)
	require.Equal(t, looser, s.queryUnit(second).Sla)
	s.block(time.Hour)
	s.settleRounds()
	require.Equal(t, types.SLA_VERDICT_MET, s.unitVerdict(second, running+2).Verdict)
}

// A new unit starts at x/reputation's baseline_score: it lists in the
// marketplace at the baseline, and its first refund uses it (baseline 1: a
// MISSED epoch refunds 99 %).
func TestNewUnitStartsAtReputationBaseline(t *testing.T) {
	s := newSlaSuite(t, 1)
	s.registerProvider(s.provider)
	s.registerProvider(s.provider2)
	s.registerConsumer(s.consumer)
	scored := s.createUnit(s.provider2)
	s.epochs(2, scored, qosMet) // 1 → 3

	unitID := s.createUnit(s.provider)
	require.Equal(t, uint32(1), s.unit(unitID).Reputation)
	market, err := s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{})
	require.NoError(t, err)
	require.Len(t, market.DataUnits, 2)
	require.Equal(t, []uint64{scored, unitID}, []uint64{market.DataUnits[0].Id, market.DataUnits[1].Id}, "ranked by reputation")
	require.Equal(t, []uint32{3, 1}, []uint32{market.DataUnits[0].Reputation, market.DataUnits[1].Reputation})

	dealID := s.openDeal(s.consumer, unitID)
	s.epochs(1, unitID, qosUnknown) // aligns the deal on the epochs; UNKNOWN moves no score
	s.qos.units[unitID] = qosMissed
	epoch := s.epoch()
	dv := s.dealVerdict(dealID, epoch)
	require.Equal(t, uint32(1), dv.UnitScore)
	require.Equal(t, sdkmath.NewInt(slaEpochPayment*99/100), dv.Refund, "(100 − 1) % of the epoch's 2,000")
}

// "More than 1 h of downtime in 24 h" is compared exactly: 9,583 bps of
// uptime is 1 h 0 min 2.88 s down a day (CRITICAL: refund, slash); 9,584
// bps is 59 min 54 s (MISSED against a 99.90 % SLA, no slash).
func TestCriticalDowntimeBoundary(t *testing.T) {
	s := newSlaSuite(t, 50)
	unitID, dealID := s.slaMarket()
	require.Equal(t, time.Hour, s.params().CriticalDowntimePerDay)
	for _, tc := range []struct {
		uptime  uint32
		verdict types.SlaVerdict
		slashed bool
	}{
		{9_583, types.SLA_VERDICT_CRITICAL, true},
		{9_584, types.SLA_VERDICT_MISSED, false},
	} {
		q := qosMet
		q.UptimeBps = tc.uptime
		s.qos.units[unitID] = q
		epoch := s.epoch()
		require.Equal(t, tc.verdict, s.dealVerdict(dealID, epoch).Verdict, "uptime %d", tc.uptime)
		uv := s.unitVerdict(unitID, epoch)
		require.Equal(t, tc.verdict, uv.Verdict, "uptime %d", tc.uptime)
		require.Equal(t, tc.slashed, uv.Slashed.IsPositive(), "uptime %d", tc.uptime)
	}
}

// Each verdict records the bounds of the epoch it judged and the height of
// the block whose round recorded it, and so do its events.
func TestVerdictsRecordEpochBoundsAndHeight(t *testing.T) {
	s := newSlaSuite(t, 50)
	unitID, dealID := s.slaMarket()
	s.qos.units[unitID] = qosMissed
	epoch, events := s.epochWithEvents()
	height := s.app.Height
	started := typedEvents[*types.EventSlaRoundStarted](events)
	require.Len(t, started, 1)
	start, end := started[0].EpochStart, started[0].EpochEnd
	require.Equal(t, time.Hour, end.Sub(start))

	dv := s.dealVerdict(dealID, epoch)
	require.Equal(t, []any{start, end, height}, []any{dv.EpochStart, dv.EpochEnd, dv.Height})
	uv := s.unitVerdict(unitID, epoch)
	require.Equal(t, []any{start, end, height}, []any{uv.EpochStart, uv.EpochEnd, uv.Height})

	de := typedEvents[*types.EventDealVerdict](events)
	require.Len(t, de, 1)
	require.Equal(t, []any{start, end, height}, []any{de[0].EpochStart, de[0].EpochEnd, de[0].Height})
	ue := typedEvents[*types.EventUnitVerdict](events)
	require.Len(t, ue, 1)
	require.Equal(t, []any{start, end, height, true}, []any{ue[0].EpochStart, ue[0].EpochEnd, ue[0].Height, ue[0].FromDeals})
}

// The worst deal verdicts are pruned with the verdicts: only the last
// verdict_retention_epochs epochs are kept.
func TestWorstDealVerdictsPrunedWithVerdicts(t *testing.T) {
	s := newSlaSuite(t, 50, func(p *types.Params) { p.VerdictRetentionEpochs = 2 })
	unitID, _ := s.slaMarket()
	var last int64
	for range 6 {
		s.qos.units[unitID] = qosMet
		last = s.epoch()
	}
	var epochs []int64
	iter, err := s.app.OrchestratorKeeper.WorstDealVerdicts.Iterate(s.ctx(), nil)
	require.NoError(t, err)
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		key, err := iter.Key()
		require.NoError(t, err)
		epochs = append(epochs, key.K1())
	}
	require.Equal(t, []int64{last - 2, last - 1, last}, epochs)
	_, err = s.app.OrchestratorKeeper.DealVerdicts.Get(s.ctx(), collections.Join(uint64(1), last-3))
	require.Error(t, err, "the deal verdicts of the same epochs are gone too")
}
