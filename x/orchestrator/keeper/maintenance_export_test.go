package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// dueKeys lists a suite's due queue.
func (s *suite) dueKeys() []collections.Triple[int64, int32, uint64] {
	s.t.Helper()
	var keys []collections.Triple[int64, int32, uint64]
	require.NoError(s.t, s.app.OrchestratorKeeper.DueQueue.Walk(s.ctx(), nil, func(k collections.Triple[int64, int32, uint64]) (bool, error) {
		keys = append(keys, k)
		return false, nil
	}))
	return keys
}

// TestExportDuringMaintenanceKeepsTheQueue: a unit exported in the middle
// of its maintenance window has run its start already, and its queue holds
// only the end. The import queued the start again (a second, stale entry:
// the stores differed after import; found by make sim-import-export, seed
// 4). The imported queue is the exported chain's.
func TestExportDuringMaintenanceKeepsTheQueue(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	unitID := s.createUnit(s.provider)
	_, err := s.msgs.ScheduleMaintenance(s.ctx(), &types.MsgScheduleMaintenance{
		Provider: s.provider.String(), UnitId: unitID, Start: s.app.Time.Add(time.Hour), End: s.app.Time.Add(5 * time.Hour),
	})
	require.NoError(t, err)
	s.advance(2 * time.Hour)
	require.Equal(t, types.DATA_UNIT_STATE_MAINTENANCE, s.unit(unitID).State)
	want := s.dueKeys()
	require.Len(t, want, 1, "only the window's end is still due")
	require.Equal(t, types.DueMaintenanceEnd, want[0].K2())

	gs, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(t, err)
	fresh := newSuite(t)
	require.NoError(t, fresh.app.OrchestratorKeeper.InitGenesis(fresh.ctx(), *gs))
	require.Equal(t, want, fresh.dueKeys())

	// Before its start, both entries are queued, on import as before.
	s2 := newSuite(t)
	s2.registerProvider(s2.provider)
	unit2 := s2.createUnit(s2.provider)
	_, err = s2.msgs.ScheduleMaintenance(s2.ctx(), &types.MsgScheduleMaintenance{
		Provider: s2.provider.String(), UnitId: unit2, Start: s2.app.Time.Add(time.Hour), End: s2.app.Time.Add(5 * time.Hour),
	})
	require.NoError(t, err)
	want = s2.dueKeys()
	require.Len(t, want, 2)
	gs, err = s2.app.OrchestratorKeeper.ExportGenesis(s2.ctx())
	require.NoError(t, err)
	fresh2 := newSuite(t)
	require.NoError(t, fresh2.app.OrchestratorKeeper.InitGenesis(fresh2.ctx(), *gs))
	require.Equal(t, want, fresh2.dueKeys())
}
