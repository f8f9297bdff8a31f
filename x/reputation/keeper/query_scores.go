package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// ProviderScore returns a provider's scores, badges, rank and history. A
// registered provider without verdicts or ratings yet is at the baseline and
// unranked (rank 0): it is not on the leaderboard.
func (q queryServer) ProviderScore(ctx context.Context, req *types.QueryProviderScoreRequest) (*types.QueryProviderScoreResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := q.k.accAddress(req.Provider)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid provider address %q: %s", req.Provider, err)
	}
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	ps, found, err := q.k.getProviderScore(ctx, params, addr)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if !found {
		if _, registered, err := q.k.orchestrator.ProviderBond(ctx, req.Provider); err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		} else if !registered {
			return nil, status.Errorf(codes.NotFound, "%s is not a registered provider", req.Provider)
		}
	}
	rank, err := q.k.providerRank(ctx, addr, ps.Overall)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	var history []types.ScorePoint
	iter, err := q.k.History.Iterate(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, int64](addr))
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		p, err := iter.Value()
		if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		history = append(history, p)
	}
	return &types.QueryProviderScoreResponse{
		Score: ps, Badges: Badges(params, ps, blockSecond(ctx)), History: history, Rank: rank,
	}, nil
}

// UnitScore returns a data unit's objective score.
func (q queryServer) UnitScore(ctx context.Context, req *types.QueryUnitScoreRequest) (*types.QueryUnitScoreResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	us, err := q.k.UnitScores.Get(ctx, req.UnitId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "unit %d has no score yet: it gets one at the end of its first SLA epoch", req.UnitId)
	} else if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryUnitScoreResponse{Score: us}, nil
}

// Leaderboard ranks providers by overall score, best first, read from the
// leaderboard index one page at a time. The total (count_total) comes from
// the per-score counts, not from a scan.
func (q queryServer) Leaderboard(ctx context.Context, req *types.QueryLeaderboardRequest) (*types.QueryLeaderboardResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	page := clampPage(req.Pagination)
	countTotal := page.CountTotal
	page.CountTotal = false
	now := blockSecond(ctx)
	ranks := map[uint32]uint64{} // rank by score within the page; read-only cache
	entries, pageRes, err := query.CollectionPaginate(ctx, q.k.Leaderboard, page,
		func(key collections.Pair[uint64, sdk.AccAddress], _ collections.NoValue) (types.LeaderboardEntry, error) {
			ps, err := q.k.ProviderScores.Get(ctx, key.K2())
			if err != nil {
				return types.LeaderboardEntry{}, err
			}
			rank, ok := ranks[ps.Overall]
			if !ok {
				if rank, err = q.k.Rank(ctx, ps.Overall); err != nil {
					return types.LeaderboardEntry{}, err
				}
				ranks[ps.Overall] = rank
			}
			return types.LeaderboardEntry{Rank: rank, Provider: ps.Provider, Overall: ps.Overall, Badges: Badges(params, ps, now)}, nil
		})
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if countTotal {
		total, err := q.k.leaderboardSize(ctx)
		if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		pageRes.Total = total
	}
	return &types.QueryLeaderboardResponse{Entries: entries, Pagination: pageRes}, nil
}

// providerRank is the rank the Leaderboard query shows for a provider, or 0
// when the provider is not on it. Membership is read from the leaderboard
// index itself, so the two queries cannot disagree: a provider enters the
// index with its first verdict or rating (updateProvider), not when it
// registers, and ranking one that is not in it (as if it were) gave a rank
// that no leaderboard page showed.
func (k Keeper) providerRank(ctx context.Context, addr sdk.AccAddress, overall uint32) (uint64, error) {
	listed, err := k.Leaderboard.Has(ctx, joinLeaderboard(overall, addr))
	if err != nil || !listed {
		return 0, err
	}
	return k.Rank(ctx, overall)
}

// leaderboardSize sums the per-score counts (at most 101 reads).
func (k Keeper) leaderboardSize(ctx context.Context) (uint64, error) {
	iter, err := k.ScoreCounts.Iterate(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer iter.Close()
	var total uint64
	for ; iter.Valid(); iter.Next() {
		n, err := iter.Value()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
