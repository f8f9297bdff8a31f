package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Page limits of the list queries.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// queryServer implements types.QueryServer. Each query group lives in its own
// file (query_<group>.go).
type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the module's Query service implementation.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

// clampPage applies the default and maximum page size, and the SDK's "no
// limit: count the total" (every list of the module can count).
func clampPage(p *query.PageRequest) *query.PageRequest {
	return paging.Normalize(p, DefaultPageLimit, MaxPageLimit, true)
}

// Params returns the current module parameters.
func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: params}, nil
}

// RewardPool returns the pool's balance and the last finished round.
func (q queryServer) RewardPool(ctx context.Context, req *types.QueryRewardPoolRequest) (*types.QueryRewardPoolResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	info, err := q.k.LastRound.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if info.Balance, err = q.k.Pool.Get(ctx); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if info.Denom, err = q.k.orchestrator.MarketDenom(ctx); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryRewardPoolResponse{Pool: info}, nil
}
