package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// x/orchestrator tells x/reputation that its SLA rounds are settled
// (AfterSlaRoundsSettled) at the end of every block that ends with no round
// open, and of no other: a round that spans blocks holds the signal back,
// and with it x/reputation's reward round, until every unit is graded.
func TestSlaRoundsSettledOnlyWithoutAnOpenRound(t *testing.T) {
	s := newSlaSuite(t, 50, func(p *types.Params) { p.MaxVerdictsPerBlock = 1 })
	s.registerProvider(s.provider)
	first, second := s.createUnit(s.provider), s.createUnit(s.provider)
	s.qos.units[first], s.qos.units[second] = qosMet, qosMet
	s.settleRounds()
	s.block(time.Minute)
	require.True(t, s.rep.settled[s.app.Height], "no round open: settled")

	s.block(time.Hour) // the epoch ends; its round grades one unit a block
	open := 0
	for {
		pending, err := s.app.OrchestratorKeeper.SlaRoundPending(s.ctx())
		require.NoError(t, err)
		require.Equal(t, !pending, s.rep.settled[s.app.Height], "height %d", s.app.Height)
		if !pending {
			break
		}
		open++
		s.block(time.Minute)
	}
	require.Greater(t, open, 1, "the round spanned blocks")
	require.Equal(t, uint32(51), s.unitScore(second), "the round graded every unit before it settled")
}
