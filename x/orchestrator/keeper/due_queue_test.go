package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestDueQueueCapCarriesOver: with max_due_per_block = 3 and five requests
// expiring at the same second, one block expires three, the next the rest.
func TestDueQueueCapCarriesOver(t *testing.T) {
	s := newSuite(t, func(p *types.Params) { p.MaxDuePerBlock = 3 })
	unitID := s.market()
	var ids []uint64
	for i := 0; i < 5; i++ {
		msg := dealMsg(s.consumer, unitID)
		msg.CapacityGb = 10
		msg.Deposit = uflash(200_000)
		ids = append(ids, s.requestDeal(msg))
	}
	closed := func() int {
		n := 0
		for _, id := range ids {
			if s.deal(id).State == types.DEAL_STATE_CLOSED {
				n++
			}
		}
		return n
	}
	s.advance(3*day - time.Second)
	require.Zero(t, closed(), "nothing is due before the TTL")
	s.advance(time.Second)
	require.Equal(t, 3, closed(), "the first block processes at most the cap")
	s.advance(time.Second)
	require.Equal(t, 5, closed(), "the rest carries over to the next block")
	for _, id := range ids {
		require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s.deal(id).CloseReason)
	}
	iter, err := s.app.OrchestratorKeeper.DueQueue.Iterate(s.ctx(), nil)
	require.NoError(t, err)
	defer iter.Close()
	require.False(t, iter.Valid(), "the queue is empty")
}

// TestDueQueueSharedByAllKinds: maintenance ends, deal ends and bond
// returns share the cap and all happen by themselves.
func TestDueQueueSharedByAllKinds(t *testing.T) {
	s := newSuite(t, func(p *types.Params) {
		p.MaxDuePerBlock = 1
		p.ProviderUnbondingPeriod = time.Hour
	})
	unitID := s.market()
	s.registerProvider(s.provider2)
	_, err := s.msgs.BeginProviderExit(s.ctx(), &types.MsgBeginProviderExit{Owner: s.provider2.String()})
	require.NoError(t, err)
	_, err = s.msgs.ScheduleMaintenance(s.ctx(), &types.MsgScheduleMaintenance{
		Provider: s.provider.String(), UnitId: unitID, Start: s.app.Time, End: s.app.Time.Add(time.Hour),
	})
	require.NoError(t, err)
	s.advance(time.Second) // maintenance start (due now) is processed
	require.Equal(t, types.DATA_UNIT_STATE_MAINTENANCE, s.unit(unitID).State)

	s.advance(time.Hour) // both the window end and the bond return are due: one per block
	maintenanceOver := s.unit(unitID).State == types.DATA_UNIT_STATE_AVAILABLE
	exited, err := s.app.OrchestratorKeeper.Providers.Has(s.ctx(), s.provider2)
	require.NoError(t, err)
	require.True(t, maintenanceOver != !exited, "exactly one of the two items ran in the first block")
	s.advance(time.Second)
	require.Equal(t, types.DATA_UNIT_STATE_AVAILABLE, s.unit(unitID).State)
	exited, err = s.app.OrchestratorKeeper.Providers.Has(s.ctx(), s.provider2)
	require.NoError(t, err)
	require.False(t, exited)
}
