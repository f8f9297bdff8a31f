package keeper

import (
	"context"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// InjectVoteExtensions does nothing but succeed for the block's injected
// transaction, which the ante handler admitted and marked: the PreBlocker has
// aggregated its extensions already, before any transaction ran. Anywhere
// else (inside authz, a governance proposal, a user's transaction) it is
// refused.
func (m msgServer) InjectVoteExtensions(ctx context.Context, _ *types.MsgInjectVoteExtensions) (*types.MsgInjectVoteExtensionsResponse, error) {
	if !types.IsInjectedTx(ctx) {
		return nil, types.ErrInjectedOnly
	}
	return &types.MsgInjectVoteExtensionsResponse{}, nil
}
