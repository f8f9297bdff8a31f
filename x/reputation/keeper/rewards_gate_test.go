package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// An epoch's reward round waits for its SLA round: it advances only in a
// block whose x/orchestrator end block reported the SLA rounds settled
// (AfterSlaRoundsSettled), so rewards see the epoch's verdicts, and it runs
// in the very block in which the SLA round finishes.
func TestRewardRoundWaitsForTheSlaRound(t *testing.T) {
	s := newSuite(t, options{orchestrator: func(p *orchtypes.Params) { p.MaxVerdictsPerBlock = 1 }})
	s.registerProvider(s.provider)
	first, second := s.createUnit(s.provider), s.createUnit(s.provider)
	s.qos.units[first], s.qos.units[second] = qosMet, qosMet

	info, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), "hour")
	require.NoError(t, err)
	s.block(time.Hour) // the epoch ends: both rounds are queued
	open := 0
	for {
		pending, err := s.app.OrchestratorKeeper.SlaRoundPending(s.ctx())
		require.NoError(t, err)
		queued, err := s.app.ReputationKeeper.RewardRounds.Has(s.ctx(), info.CurrentEpoch)
		require.NoError(t, err)
		require.Equal(t, pending, queued, "block %d: the reward round waits exactly while the SLA round is open", s.app.Height)
		if !pending {
			break
		}
		open++
		s.block(time.Minute)
	}
	require.Greater(t, open, 1, "the SLA round spanned blocks")
	last, err := s.app.ReputationKeeper.LastRound.Get(s.ctx())
	require.NoError(t, err)
	require.Equal(t, info.CurrentEpoch, last.LastEpoch)
}
