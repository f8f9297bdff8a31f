package keeper

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// AccessKeyInvariant checks that every access key belongs to a registered
// provider or consumer, as genesis validation requires: a key left behind
// would make the chain's export unimportable.
func AccessKeyInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		var orphan string
		_ = k.AccessKeys.Walk(ctx, nil, func(owner sdk.AccAddress, _ types.AccessKey) (bool, error) {
			isProvider, _ := k.Providers.Has(ctx, owner)
			isConsumer, _ := k.Consumers.Has(ctx, owner)
			if !isProvider && !isConsumer {
				orphan = owner.String()
			}
			return orphan != "", nil
		})
		if orphan != "" {
			return sdk.FormatInvariant(types.ModuleName, "access-keys", fmt.Sprintf("%s has an access key but is neither a provider nor a consumer", orphan)), true
		}
		return sdk.FormatInvariant(types.ModuleName, "access-keys", "every key has a registered owner"), false
	}
}
