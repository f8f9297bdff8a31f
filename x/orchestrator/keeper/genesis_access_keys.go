package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func (k Keeper) initAccessKeys(ctx context.Context, keys []types.AccessKey) error {
	for _, key := range keys {
		if err := k.AccessKeys.Set(ctx, k.mustAccAddress(key.Address), key); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) exportAccessKeys(ctx context.Context) ([]types.AccessKey, error) {
	var keys []types.AccessKey
	err := k.AccessKeys.Walk(ctx, nil, func(_ sdk.AccAddress, key types.AccessKey) (bool, error) {
		keys = append(keys, key)
		return false, nil
	})
	return keys, err
}
