package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// queryServer implements types.QueryServer; the marketplace and deal
// queries live in query_marketplace.go and query_deals.go.
type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the module's Query service implementation.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

// MaxPageLimit bounds every page a query returns.
const MaxPageLimit = 200

// DefaultPageLimit is the page size when the request gives none.
const DefaultPageLimit = 50

// toStatus maps a keeper error to a gRPC status.
func toStatus(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, types.ErrProviderNotFound), errors.Is(err, types.ErrConsumerNotFound),
		errors.Is(err, types.ErrUnitNotFound), errors.Is(err, types.ErrDealNotFound), errors.Is(err, collections.ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, types.ErrInvalidInput):
		return status.Error(codes.InvalidArgument, err.Error())
	default:
		return status.Error(codes.Internal, err.Error())
	}
}

// clampPage applies the default and the maximum page size, and the SDK's
// "no limit: count the total" to lists that can count.
func clampPage(p *query.PageRequest, countable bool) *query.PageRequest {
	return paging.Normalize(p, DefaultPageLimit, MaxPageLimit, countable)
}

// Params returns the current module parameters.
func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return &types.QueryParamsResponse{Params: params}, nil
}

// Provider returns one provider.
func (q queryServer) Provider(ctx context.Context, req *types.QueryProviderRequest) (*types.QueryProviderResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	p, _, err := q.k.getProvider(ctx, req.Address)
	if err != nil {
		return nil, toStatus(err)
	}
	return &types.QueryProviderResponse{Provider: p}, nil
}

// Providers lists providers by address.
func (q queryServer) Providers(ctx context.Context, req *types.QueryProvidersRequest) (*types.QueryProvidersResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	providers, page, err := paging.Paginate(ctx, q.k.Providers, clampPage(req.Pagination, true), nil,
		func(_ sdk.AccAddress, p types.Provider) (types.Provider, error) { return p, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryProvidersResponse{Providers: providers, Pagination: page}, nil
}

// Consumer returns one consumer.
func (q queryServer) Consumer(ctx context.Context, req *types.QueryConsumerRequest) (*types.QueryConsumerResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	c, _, err := q.k.getConsumer(ctx, req.Address)
	if err != nil {
		return nil, toStatus(err)
	}
	return &types.QueryConsumerResponse{Consumer: c}, nil
}

// DataUnit returns one data unit.
func (q queryServer) DataUnit(ctx context.Context, req *types.QueryDataUnitRequest) (*types.QueryDataUnitResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	u, err := q.k.getUnit(ctx, req.Id)
	if err != nil {
		return nil, toStatus(err)
	}
	return &types.QueryDataUnitResponse{DataUnit: u}, nil
}

// Stats returns the running totals.
func (q queryServer) Stats(ctx context.Context, req *types.QueryStatsRequest) (*types.QueryStatsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	s, err := q.k.Stats.Get(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return &types.QueryStatsResponse{Stats: s}, nil
}
