// Package v2 is flashbackd's first software upgrade: x/reputation's store
// moves from consensus version 1 to 2 (provider scores gain star_counts,
// filled from the stored ratings; x/reputation/migrations/v2). No store is
// added, renamed or deleted.
package v2

import (
	"context"

	upgradetypes "cosmossdk.io/x/upgrade/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/flashbacknetwork/flashbackd/app/upgrades"
)

// Name is the upgrade's name: the name of the gov software-upgrade proposal
// and of cosmovisor's upgrades/<name> directory.
const Name = "v2"

// Upgrade runs the registered module migrations (x/reputation 1 → 2) and
// logs how long they took.
var Upgrade = upgrades.Upgrade{
	Name: Name,
	CreateHandler: func(deps upgrades.Deps) upgradetypes.UpgradeHandler {
		run := upgrades.RunMigrationsHandler(deps)
		return func(ctx context.Context, plan upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			sdkCtx := sdk.UnwrapSDKContext(ctx)
			sdkCtx.Logger().Info("applying upgrade", "name", plan.Name, "height", plan.Height, "from", fromVM)
			toVM, err := run(ctx, plan, fromVM)
			if err != nil {
				return nil, err
			}
			sdkCtx.Logger().Info("upgrade applied", "name", plan.Name, "to", toVM)
			return toVM, nil
		}
	},
}
