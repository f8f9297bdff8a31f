package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// DealVerdicts lists a deal's SLA verdicts, oldest epoch first.
func (q queryServer) DealVerdicts(ctx context.Context, req *types.QueryDealVerdictsRequest) (*types.QueryDealVerdictsResponse, error) {
	if req == nil || req.DealId == 0 {
		return nil, status.Error(codes.InvalidArgument, "deal_id is required")
	}
	verdicts, page, err := paging.Paginate(ctx, q.k.DealVerdicts, clampPage(req.Pagination, true), nil,
		func(_ collections.Pair[uint64, int64], v types.DealVerdict) (types.DealVerdict, error) { return v, nil },
		query.WithCollectionPaginationPairPrefix[uint64, int64](req.DealId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryDealVerdictsResponse{Verdicts: verdicts, Pagination: page}, nil
}

// UnitVerdicts lists a unit's SLA verdicts against its offered SLA, oldest
// epoch first.
func (q queryServer) UnitVerdicts(ctx context.Context, req *types.QueryUnitVerdictsRequest) (*types.QueryUnitVerdictsResponse, error) {
	if req == nil || req.UnitId == 0 {
		return nil, status.Error(codes.InvalidArgument, "unit_id is required")
	}
	verdicts, page, err := paging.Paginate(ctx, q.k.UnitVerdicts, clampPage(req.Pagination, true), nil,
		func(_ collections.Pair[uint64, int64], v types.UnitVerdict) (types.UnitVerdict, error) { return v, nil },
		query.WithCollectionPaginationPairPrefix[uint64, int64](req.UnitId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryUnitVerdictsResponse{Verdicts: verdicts, Pagination: page}, nil
}
