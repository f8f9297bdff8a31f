package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Ratings lists a provider's ratings by deal id, hidden ones included (with
// hidden set), so that the record stays transparent.
func (q queryServer) Ratings(ctx context.Context, req *types.QueryRatingsRequest) (*types.QueryRatingsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := q.k.accAddress(req.Provider)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid provider address %q: %s", req.Provider, err)
	}
	ratings, page, err := paging.Paginate(ctx, q.k.RatingsByProvider, clampPage(req.Pagination), nil,
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.Rating, error) {
			return q.k.Ratings.Get(ctx, key.K2())
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](addr))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryRatingsResponse{Ratings: ratings, Pagination: page}, nil
}

// Disputes lists disputes by id: a provider's (optionally of one status),
// all of one status, or all. A provider's disputes of one status are its
// disputes filtered by the status index: offset is refused there (skipping
// filtered entries by offset is not what the SDK does); everything else
// walks one index directly and supports every pagination option.
func (q queryServer) Disputes(ctx context.Context, req *types.QueryDisputesRequest) (*types.QueryDisputesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, ok := types.DisputeStatus_name[int32(req.Status)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown dispute status %d", req.Status)
	}
	filtered := req.Provider != "" && req.Status != types.DISPUTE_STATUS_UNSPECIFIED
	if filtered {
		if err := paging.Check(req.Pagination, paging.Unsupported{Offset: true,
			Because: "the status of each of the provider's disputes is checked in turn (list them without a status, or all disputes of the status, for offset)"}); err != nil {
			return nil, err
		}
	}
	page := clampPage(req.Pagination)
	var predicate func(collections.Pair[sdk.AccAddress, uint64], collections.NoValue) (bool, error)
	if filtered {
		predicate = func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (bool, error) {
			return q.k.DisputesByStatus.Has(ctx, collections.Join(int32(req.Status), key.K2()))
		}
	}
	byID := func(id uint64) (types.Dispute, error) { return q.k.Disputes.Get(ctx, id) }
	var (
		disputes []types.Dispute
		pageRes  *query.PageResponse
		err      error
	)
	switch {
	case req.Provider != "":
		addr, aerr := q.k.accAddress(req.Provider)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid provider address %q: %s", req.Provider, aerr)
		}
		disputes, pageRes, err = paging.Paginate(ctx, q.k.DisputesByProvider, page, predicate,
			func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.Dispute, error) {
				return byID(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](addr))
	case req.Status != types.DISPUTE_STATUS_UNSPECIFIED:
		disputes, pageRes, err = paging.Paginate(ctx, q.k.DisputesByStatus, page, nil,
			func(key collections.Pair[int32, uint64], _ collections.NoValue) (types.Dispute, error) {
				return byID(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.Status)))
	default:
		disputes, pageRes, err = paging.Paginate(ctx, q.k.Disputes, page, nil,
			func(_ uint64, d types.Dispute) (types.Dispute, error) { return d, nil })
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryDisputesResponse{Disputes: disputes, Pagination: pageRes}, nil
}
