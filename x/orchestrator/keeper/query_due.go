package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// DueFailures lists the due items whose last run failed, by kind then
// subject: those being retried (retry_at set) and those parked after
// max_due_retries (retry_at unset), which need an operator. The records are
// few (each is a bug or a blocked state), and the listing walks them
// directly: every pagination option works.
func (q queryServer) DueFailures(ctx context.Context, req *types.QueryDueFailuresRequest) (*types.QueryDueFailuresResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	failures, page, err := paging.Paginate(ctx, q.k.DueFailures, clampPage(req.Pagination, true), nil,
		func(_ collections.Pair[int32, []byte], f types.DueFailure) (types.DueFailure, error) { return f, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryDueFailuresResponse{Failures: failures, Pagination: page}, nil
}
