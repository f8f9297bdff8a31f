package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// The docs' rules, worked by hand: a unit starts at 50 and moves +1 MET,
// +2 EXCEEDED, −1 MISSED, −2 CRITICAL per epoch; UNKNOWN (no quorum) moves
// nothing. The provider's objective score is the mean of its scored units.
func TestScoreSequenceFollowsVerdicts(t *testing.T) {
	s := newSuite(t)
	unitID, _ := s.market()
	unit2 := s.createUnit(s.provider)

	// No verdict with data yet: the market() epoch was UNKNOWN.
	require.Equal(t, uint32(50), s.unitScore(unitID))
	require.Zero(t, s.providerScore(s.provider).Score.UnitsScored, "UNKNOWN does not make a unit scored")

	steps := []struct {
		qos     oracleSummary
		verdict orchtypes.SlaVerdict
		score   uint32
	}{
		{qosMet, orchtypes.SLA_VERDICT_MET, 51},
		{qosMet, orchtypes.SLA_VERDICT_MET, 52},
		{qosExceeded, orchtypes.SLA_VERDICT_EXCEEDED, 54},
		{qosMissed, orchtypes.SLA_VERDICT_MISSED, 53},
		{qosCritical, orchtypes.SLA_VERDICT_CRITICAL, 51},
		{qosUnknown, orchtypes.SLA_VERDICT_UNKNOWN, 51},
		{qosExceeded, orchtypes.SLA_VERDICT_EXCEEDED, 53},
	}
	s.qos.units[unit2] = qosExceeded // unit 2: +2 every epoch
	for i, step := range steps {
		s.qos.units[unitID] = step.qos
		before := s.unitScore(unitID)
		epoch := s.epoch()
		v := s.unitVerdict(unitID, epoch)
		require.Equal(t, step.verdict, v.Verdict, "step %d", i)
		require.Equal(t, step.score, s.unitScore(unitID), "step %d", i)
		require.Equal(t, before, v.ScoreBefore, "step %d", i)
		require.Equal(t, step.score, v.ScoreAfter, "step %d", i)
	}
	// Unit 2 went 50 → 64 over 7 EXCEEDED epochs; the provider's objective
	// is ⌊(53 + 64) / 2⌋ = 58, and with no public community score the
	// overall score is the objective.
	require.Equal(t, uint32(64), s.unitScore(unit2))
	ps := s.providerScore(s.provider)
	require.Equal(t, uint32(58), ps.Score.Objective)
	require.Equal(t, uint64(2), ps.Score.UnitsScored)
	require.Equal(t, uint32(58), ps.Score.Overall)
	require.False(t, ps.Score.CommunityPublic)
	require.Len(t, ps.History, 8, "one history point per epoch: market()'s and the 7 steps")
	require.Equal(t, uint64(1), ps.Rank)
}

// Scores stay within [0, 100]: with +30 / −40 deltas a unit hits the
// ceiling and the floor and stays there.
func TestScoreFloorAndCeiling(t *testing.T) {
	s := newSuite(t, options{reputation: func(p *types.Params) {
		p.DeltaMet, p.DeltaExceeded, p.DeltaMissed, p.DeltaCritical = 10, 30, -15, -40
	}})
	unitID, _ := s.market()
	for _, want := range []uint32{80, 100, 100} {
		s.epochs(1, unitID, qosExceeded)
		require.Equal(t, want, s.unitScore(unitID))
	}
	for _, want := range []uint32{60, 20, 0, 0} {
		s.epochs(1, unitID, qosCritical)
		require.Equal(t, want, s.unitScore(unitID))
	}
	v := s.unitVerdict(unitID, s.lastEpoch())
	require.Equal(t, uint32(0), v.ScoreBefore)
	require.Equal(t, uint32(0), v.ScoreAfter, "the floor holds")
	s.epochs(1, unitID, qosMet)
	require.Equal(t, uint32(10), s.unitScore(unitID))
}

// Decay: after decay_period without QoS data the score moves decay_points
// toward the baseline, then again every further period, and stops there.
// (Docs: a month and 1 point; here 3 hours and 5 points to keep it short.)
func TestScoreDecaysTowardBaseline(t *testing.T) {
	s := newSuite(t, options{reputation: func(p *types.Params) {
		p.DecayPeriod, p.DecayPoints = 3*time.Hour, 5
	}})
	unitID, _ := s.market()
	s.epochs(6, unitID, qosExceeded) // 50 + 6 × 2 = 62
	require.Equal(t, uint32(62), s.unitScore(unitID))

	// Hours since the last data: 1, 2 → no decay; 3 → 57; 4, 5 → 57;
	// 6 → 52; 7, 8 → 52; 9 → 50 (the baseline, not 47); then it stays.
	for i, want := range []uint32{62, 62, 57, 57, 57, 52, 52, 52, 50, 50, 50, 50} {
		s.epochs(1, unitID, qosUnknown)
		require.Equal(t, want, s.unitScore(unitID), "hour %d without data", i+1)
	}
	// New data resets the clock.
	s.epochs(1, unitID, qosCritical) // 48
	s.epochs(2, unitID, qosUnknown)
	require.Equal(t, uint32(48), s.unitScore(unitID))
	s.epochs(1, unitID, qosUnknown) // 3 h: up toward 50, not past it
	require.Equal(t, uint32(50), s.unitScore(unitID))
}

// UNKNOWN changes nothing: no score change, no refund, no slash.
func TestUnknownVerdictChangesNothing(t *testing.T) {
	s := newSuite(t)
	unitID, dealID := s.market()
	consumer, bondBefore, pool, supply := s.balance(s.consumer), s.bondOf(s.provider), s.pool(), s.supply()
	epoch := s.epoch() // no QoS set for the unit
	require.Equal(t, orchtypes.SLA_VERDICT_UNKNOWN, s.unitVerdict(unitID, epoch).Verdict)
	dv := s.dealVerdict(dealID, epoch)
	require.Equal(t, orchtypes.SLA_VERDICT_UNKNOWN, dv.Verdict)
	require.True(t, dv.Refund.IsZero())
	require.Equal(t, uint32(50), s.unitScore(unitID))
	require.Equal(t, consumer, s.balance(s.consumer))
	require.Equal(t, bondBefore, s.bondOf(s.provider))
	require.Equal(t, pool, s.pool())
	require.Equal(t, supply, s.supply())
	require.Equal(t, orchtypes.DEAL_STATE_ACTIVE, s.deal(dealID).State)
}

// Badges: "top performer" at an overall score of top_performer_score, and
// SLA compliance once badge_compliance_period passed without a MISSED or
// CRITICAL verdict (docs: 6 months; here 4 hours).
func TestBadges(t *testing.T) {
	s := newSuite(t, options{reputation: func(p *types.Params) {
		p.BadgeCompliancePeriod, p.TopPerformerScore = 4*time.Hour, 56
	}})
	unitID, _ := s.market()
	s.epochs(2, unitID, qosExceeded) // 54; compliant since the first
	require.Empty(t, s.providerScore(s.provider).Badges)
	s.epochs(1, unitID, qosExceeded) // 56: top performer
	require.Equal(t, []string{types.BadgeTopPerformer}, s.providerScore(s.provider).Badges)
	s.epochs(2, unitID, qosMet) // 4 h since the run began
	require.Equal(t, []string{types.BadgeSlaCompliance, types.BadgeTopPerformer}, s.providerScore(s.provider).Badges)
	s.epochs(1, unitID, qosMissed) // the run breaks
	require.Equal(t, []string{types.BadgeTopPerformer}, s.providerScore(s.provider).Badges)
	board, err := s.queries.Leaderboard(s.ctx(), &types.QueryLeaderboardRequest{})
	require.NoError(t, err)
	require.Equal(t, []string{types.BadgeTopPerformer}, board.Entries[0].Badges)
}

func (s *suite) lastEpoch() int64 {
	info, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), "hour")
	require.NoError(s.t, err)
	return info.CurrentEpoch - 1
}
