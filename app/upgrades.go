package app

import (
	"fmt"

	upgradetypes "cosmossdk.io/x/upgrade/types"

	"github.com/flashbacknetwork/flashbackd/app/upgrades"
	v2 "github.com/flashbacknetwork/flashbackd/app/upgrades/v2"
)

// Upgrades lists every software upgrade this binary knows, oldest first. To
// ship an upgrade: add a package under app/upgrades/<name>, append it here,
// and pass a gov software-upgrade proposal with the same name.
var Upgrades = []upgrades.Upgrade{
	v2.Upgrade, // x/reputation 1 → 2: provider scores gain star_counts
}

// setUpgradeHandlers registers the handlers and store changes of Upgrades.
func (app *App) setUpgradeHandlers() {
	deps := upgrades.Deps{ModuleManager: app.ModuleManager, Configurator: app.configurator}
	for _, u := range Upgrades {
		if app.UpgradeKeeper.HasHandler(u.Name) {
			panic(fmt.Sprintf("upgrade %q registered twice", u.Name))
		}
		app.UpgradeKeeper.SetUpgradeHandler(u.Name, u.CreateHandler(deps))
	}

	// When this binary starts at the height of a scheduled upgrade it knows,
	// mount the stores that upgrade adds or removes.
	upgradeInfo, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		panic(fmt.Errorf("failed to read upgrade info from disk: %w", err))
	}
	if app.UpgradeKeeper.IsSkipHeight(upgradeInfo.Height) {
		return
	}
	for _, u := range Upgrades {
		if upgradeInfo.Name == u.Name {
			stores := u.StoreUpgrades
			app.SetStoreLoader(upgradetypes.UpgradeStoreLoader(upgradeInfo.Height, &stores))
		}
	}
}
