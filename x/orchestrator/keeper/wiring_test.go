package keeper_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/runtime"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

type noQoS struct{}

func (noQoS) UnitSummary(context.Context, uint64, time.Time, time.Time) (oracletypes.QoSSummary, error) {
	return oracletypes.QoSSummary{}, nil
}

// TestWiringFailsFast: the SLA modules are set once (a second set panics, as
// x/gov's hooks do), a nil module panics, and a keeper that was never wired
// cannot become an app module, so a node never starts with SLA enforcement
// silently off (before, an unwired keeper ended epochs without checks).
func TestWiringFailsFast(t *testing.T) {
	s := newSuite(t)
	a := s.app
	require.PanicsWithValue(t, "x/orchestrator: cannot set the SLA modules twice", func() {
		a.OrchestratorKeeper.SetSlaModules(noQoS{}, a.ReputationKeeper)
	})
	require.Panics(t, func() { a.OrchestratorKeeper.SetSlaModules(nil, a.ReputationKeeper) })

	fresh := func() keeper.Keeper {
		return keeper.NewKeeper(a.AppCodec(), runtime.NewKVStoreService(a.GetKey(types.StoreKey)),
			a.AccountKeeper, a.BankKeeper, a.DistrKeeper, &a.EpochsKeeper, a.OrchestratorKeeper.Authority())
	}
	unwired := fresh()
	require.PanicsWithValue(t, "x/orchestrator: SetSlaModules was not called before NewAppModule", func() {
		orchestrator.NewAppModule(a.AppCodec(), unwired)
	})
	wired := fresh()
	wired.SetSlaModules(noQoS{}, a.ReputationKeeper)
	require.NotPanics(t, func() { orchestrator.NewAppModule(a.AppCodec(), wired) })
	require.Panics(t, func() {
		keeper.NewKeeper(a.AppCodec(), runtime.NewKVStoreService(a.GetKey(types.StoreKey)),
			a.AccountKeeper, a.BankKeeper, a.DistrKeeper, nil, a.OrchestratorKeeper.Authority())
	})
}
