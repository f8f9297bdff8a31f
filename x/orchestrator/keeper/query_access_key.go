package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// AccessKey returns a party's published access key.
func (q queryServer) AccessKey(ctx context.Context, req *types.QueryAccessKeyRequest) (*types.QueryAccessKeyResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := q.k.accAddress(req.Address)
	if err != nil {
		return nil, toStatus(errorsmod.Wrapf(types.ErrInvalidInput, "invalid address %q", req.Address))
	}
	key, err := q.k.AccessKeys.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "%s has published no access key", req.Address)
	}
	if err != nil {
		return nil, toStatus(err)
	}
	return &types.QueryAccessKeyResponse{AccessKey: key}, nil
}
