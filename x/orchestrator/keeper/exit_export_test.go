package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestExportAfterProviderExitImports: a provider that exited leaves its
// decommissioned units (and their deals) in the store as history. The
// export of such a chain used to fail genesis validation ("data unit …
// belongs to unknown provider"), so no chain where a provider had ever
// exited could be exported and restarted (found by make
// sim-import-export, seed 4). The export validates, imports into a fresh
// app with every invariant holding, and exports again to the same state.
func TestExportAfterProviderExitImports(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	s.registerConsumer(s.consumer)
	unitID := s.createUnit(s.provider)
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	_, err := s.msgs.DeclineDeal(s.ctx(), &types.MsgDeclineDeal{Provider: s.provider.String(), DealId: dealID, Reason: "full"})
	require.NoError(t, err)
	s.decommission(unitID)
	_, err = s.msgs.BeginProviderExit(s.ctx(), &types.MsgBeginProviderExit{Owner: s.provider.String()})
	require.NoError(t, err)
	s.advance(s.params().ProviderUnbondingPeriod + time.Second)
	_, err = s.app.OrchestratorKeeper.Providers.Get(s.ctx(), s.provider)
	require.Error(t, err, "the provider has exited")
	require.Equal(t, types.DATA_UNIT_STATE_DECOMMISSIONED, s.unit(unitID).State, "its unit stays as history")

	gs, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(t, err)
	require.NoError(t, gs.Validate())

	fresh := newSuite(t)
	require.NoError(t, fresh.app.OrchestratorKeeper.InitGenesis(fresh.ctx(), *gs))
	fresh.checkInvariants()
	again, err := fresh.app.OrchestratorKeeper.ExportGenesis(fresh.ctx())
	require.NoError(t, err)
	require.Equal(t, gs.DataUnits, again.DataUnits)
	require.Equal(t, gs.Deals, again.Deals)

	// A live unit still needs its provider.
	bad := *gs
	bad.DataUnits = append([]types.DataUnit(nil), gs.DataUnits...)
	bad.DataUnits[0].State = types.DATA_UNIT_STATE_AVAILABLE
	require.ErrorContains(t, bad.Validate(), "unknown provider")
}
