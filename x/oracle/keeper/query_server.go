package keeper

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/internal/paging"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// queryServer implements types.QueryServer.
type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the module's Query service implementation.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

const (
	defaultPageLimit = 50
	maxPageLimit     = 500
)

// clampPage applies the default and maximum page size, and the SDK's "no
// limit: count the total" (every list of the module can count: they are
// bounded by pruning or by the validator set).
func clampPage(p *query.PageRequest) *query.PageRequest {
	return paging.Normalize(p, defaultPageLimit, maxPageLimit, true)
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

// Assignment returns a window's assignment (the current one by default).
// Only the current and the previous window are kept.
func (q queryServer) Assignment(ctx context.Context, req *types.QueryAssignmentRequest) (*types.QueryAssignmentResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	current, err := q.k.CurrentWindow.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.NotFound, "no window yet")
	}
	window := req.Window
	if window == 0 {
		window = current
	}
	a, err := q.k.Assignments.Get(ctx, window)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no assignment kept for window %d (current: %d)", window, current)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryAssignmentResponse{Assignment: a, CurrentWindow: current}, nil
}

// LatestQoS returns a unit's last agreed record.
func (q queryServer) LatestQoS(ctx context.Context, req *types.QueryLatestQoSRequest) (*types.QueryLatestQoSResponse, error) {
	if req == nil || req.UnitId == 0 {
		return nil, status.Error(codes.InvalidArgument, "unit_id is required")
	}
	rec, ok, err := q.k.LatestRecord(ctx, req.UnitId)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no QoS record for unit %d yet", req.UnitId)
	}
	return &types.QueryLatestQoSResponse{Record: rec}, nil
}

// QoSHistory returns a unit's records between two windows, oldest first.
// Without window bounds it walks the unit's records directly (every
// pagination option); with bounds the records outside them are filtered
// out, and offset is refused: the SDK would skip records outside the
// bounds too. (A unit keeps at most record_retention_windows records.)
func (q queryServer) QoSHistory(ctx context.Context, req *types.QueryQoSHistoryRequest) (*types.QueryQoSHistoryResponse, error) {
	if req == nil || req.UnitId == 0 {
		return nil, status.Error(codes.InvalidArgument, "unit_id is required")
	}
	if req.ToWindow != 0 && req.ToWindow < req.FromWindow {
		return nil, status.Errorf(codes.InvalidArgument, "to_window %d is before from_window %d", req.ToWindow, req.FromWindow)
	}
	var inWindows func(collections.Pair[uint64, uint64], types.QoSRecord) (bool, error)
	if req.FromWindow != 0 || req.ToWindow != 0 {
		if err := paging.Check(req.Pagination, paging.Unsupported{Offset: true,
			Because: "from_window and to_window filter the unit's records (leave them out for offset)"}); err != nil {
			return nil, err
		}
		inWindows = func(key collections.Pair[uint64, uint64], _ types.QoSRecord) (bool, error) {
			w := key.K2()
			return w >= req.FromWindow && (req.ToWindow == 0 || w <= req.ToWindow), nil
		}
	}
	records, page, err := paging.Paginate(ctx, q.k.Records, clampPage(req.Pagination), inWindows,
		func(_ collections.Pair[uint64, uint64], r types.QoSRecord) (types.QoSRecord, error) { return r, nil },
		query.WithCollectionPaginationPairPrefix[uint64, uint64](req.UnitId),
	)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryQoSHistoryResponse{Records: records, Pagination: page}, nil
}

// QoSSummary averages a unit's or a provider's records over the period
// ending at the query's block time.
func (q queryServer) QoSSummary(ctx context.Context, req *types.QueryQoSSummaryRequest) (*types.QueryQoSSummaryResponse, error) {
	if req == nil || (req.UnitId == 0) == (req.Provider == "") {
		return nil, status.Error(codes.InvalidArgument, "give exactly one of unit_id or provider")
	}
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if req.Period <= 0 || req.Period > params.SummaryRetention {
		return nil, status.Errorf(codes.InvalidArgument, "period must be in (0, %s]", params.SummaryRetention)
	}
	to := sdk.UnwrapSDKContext(ctx).BlockTime().Add(time.Second)
	from := to.Add(-req.Period)
	var s types.QoSSummary
	if req.UnitId != 0 {
		s, err = q.k.UnitSummary(ctx, req.UnitId, from, to)
	} else {
		provider, aerr := q.k.accAddress(req.Provider)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid provider address %q", req.Provider)
		}
		s, err = q.k.ProviderSummary(ctx, provider, from, to)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryQoSSummaryResponse{Summary: s}, nil
}

// ReporterStats returns one validator's stats, or all of them paginated.
func (q queryServer) ReporterStats(ctx context.Context, req *types.QueryReporterStatsRequest) (*types.QueryReporterStatsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if req.Validator != "" {
		addr, err := sdk.ConsAddressFromBech32(req.Validator)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid consensus address %q", req.Validator)
		}
		st, err := q.k.ReporterStats.Get(ctx, addr)
		if errors.Is(err, collections.ErrNotFound) {
			return nil, status.Errorf(codes.NotFound, "no stats for %s", req.Validator)
		}
		if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		return &types.QueryReporterStatsResponse{Stats: []types.ReporterStats{st}}, nil
	}
	stats, page, err := paging.Paginate(ctx, q.k.ReporterStats, clampPage(req.Pagination), nil,
		func(_ sdk.ConsAddress, s types.ReporterStats) (types.ReporterStats, error) { return s, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryReporterStatsResponse{Stats: stats, Pagination: page}, nil
}

// SelfReports returns the self-reports on a deal, oldest first.
func (q queryServer) SelfReports(ctx context.Context, req *types.QuerySelfReportsRequest) (*types.QuerySelfReportsResponse, error) {
	if req == nil || req.DealId == 0 {
		return nil, status.Error(codes.InvalidArgument, "deal_id is required")
	}
	reports, page, err := paging.Paginate(ctx, q.k.SelfReports, clampPage(req.Pagination), nil,
		func(_ collections.Pair[uint64, uint64], r types.SelfReport) (types.SelfReport, error) { return r, nil },
		query.WithCollectionPaginationPairPrefix[uint64, uint64](req.DealId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QuerySelfReportsResponse{Reports: reports, Pagination: page}, nil
}
