// Package upgrades defines the shape of a flashbackd software upgrade.
package upgrades

import (
	"context"

	storetypes "cosmossdk.io/store/types"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	"github.com/cosmos/cosmos-sdk/types/module"
)

// Deps is what an upgrade handler may use.
type Deps struct {
	ModuleManager *module.Manager
	Configurator  module.Configurator
}

// Upgrade is one named software upgrade: the handler that migrates state and
// the stores it adds, renames or deletes.
type Upgrade struct {
	// Name must match the name of the gov software-upgrade proposal.
	Name string
	// CreateHandler builds the handler from the app's dependencies.
	CreateHandler func(Deps) upgradetypes.UpgradeHandler
	// StoreUpgrades lists the stores added, renamed or deleted.
	StoreUpgrades storetypes.StoreUpgrades
}

// RunMigrationsHandler is the handler most upgrades need: it runs the
// registered module migrations from the version map stored on chain.
func RunMigrationsHandler(deps Deps) upgradetypes.UpgradeHandler {
	return func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
		return deps.ModuleManager.RunMigrations(ctx, deps.Configurator, fromVM)
	}
}
