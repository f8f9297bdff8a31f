package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	v2 "github.com/flashbacknetwork/flashbackd/x/reputation/migrations/v2"
)

// Migrator runs the module's store migrations; the module registers each
// with the configurator (module.go).
type Migrator struct {
	k Keeper
}

// NewMigrator returns the migrator of k's store.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 fills every provider score's star_counts from its visible
// ratings and every recent rating's recent_until from the ageing queue
// (migrations/v2).
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	res, err := v2.Migrate(ctx, m.k.storeService, m.k.cdc)
	if err != nil {
		return err
	}
	m.k.Logger(ctx).Info("migrated x/reputation to v2: star counts and ageing times filled",
		"providers", res.Providers, "ratings", res.Ratings, "visible", res.Visible,
		"queued", res.Queued, "dequeued", res.Dequeued)
	return nil
}
