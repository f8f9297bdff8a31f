package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	upgradetypes "cosmossdk.io/x/upgrade/types"

	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/app/upgrades"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
)

// TestUpgradeHandlerRunsAtPlanHeight walks the procedure of the first
// software upgrade: governance schedules a plan; the old binary halts at the
// plan height; the new binary, whose app.Upgrades names the plan, starts on
// the same data, runs the handler with the module version map, and goes on.
func TestUpgradeHandlerRunsAtPlanHeight(t *testing.T) {
	saved := app.Upgrades
	t.Cleanup(func() { app.Upgrades = saved })

	a := apptest.Setup(t, apptest.Options{})
	planHeight := a.Height + 3
	require.NoError(t, a.UpgradeKeeper.ScheduleUpgrade(a.Ctx(), upgradetypes.Plan{Name: "v2-test", Height: planHeight}))
	for a.Height < planHeight-1 {
		a.NextBlock(t)
	}

	// The old binary refuses to run the plan height.
	_, err := a.TryNextBlock()
	require.ErrorContains(t, err, `UPGRADE "v2-test" NEEDED`)

	// The new binary knows the upgrade.
	var ran bool
	app.Upgrades = []upgrades.Upgrade{{
		Name: "v2-test",
		CreateHandler: func(deps upgrades.Deps) upgradetypes.UpgradeHandler {
			return func(ctx context.Context, plan upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
				ran = true
				return deps.ModuleManager.RunMigrations(ctx, deps.Configurator, fromVM)
			}
		},
	}}
	a.Restart(t)
	a.NextBlock(t)
	require.True(t, ran, "the upgrade handler did not run")
	require.Equal(t, planHeight, a.Height)
	done, err := a.UpgradeKeeper.GetDoneHeight(a.Ctx(), "v2-test")
	require.NoError(t, err)
	require.Equal(t, planHeight, done)
	a.NextBlock(t)
}
