// Package paging gives every list query of the chain's modules the SDK's
// pagination contract (query.PageRequest: key, offset, limit, count_total,
// reverse), the same way.
//
// It wraps query.CollectionFilteredPaginate and fills two gaps explorers
// trip over:
//   - a request without a limit counts the total, as the SDK's own
//     defaults do (the modules used to apply their default limit first, and
//     the total read 0);
//   - count_total is honoured with a key too, and with an offset past the
//     end (the SDK ignores it there): one more walk over the same range,
//     counting.
//
// A list that filters what it walks (a predicate) cannot skip correctly by
// offset — the SDK skips raw entries, not matching ones, and its total is
// then wrong — and a total has to read every entry: such lists refuse what
// they cannot serve with Check, which says what works instead.
package paging

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"
)

// Normalize returns a copy of p (an empty request for nil) with the page
// size defaulted and clamped to maxLimit. As in the SDK, a request that
// gives no limit also asks for the total; countable says whether the list
// can give one cheaply enough (else the implied count_total is dropped, and
// an explicit one is for Check to refuse).
func Normalize(p *query.PageRequest, defaultLimit, maxLimit uint64, countable bool) *query.PageRequest {
	if p == nil {
		p = &query.PageRequest{}
	}
	out := *p
	if len(out.Key) == 0 {
		out.Key = nil
	}
	if out.Limit == 0 {
		out.Limit = defaultLimit
		out.CountTotal = out.CountTotal || countable
	}
	if out.Limit > maxLimit {
		out.Limit = maxLimit
	}
	return &out
}

// Unsupported says what a list cannot serve, and why.
type Unsupported struct {
	Offset, CountTotal bool
	// Because completes "… is not supported for this listing because …".
	Because string
}

// Check refuses, with codes.InvalidArgument, a request (as the client sent
// it) that asks for what the list cannot serve; the message names what
// does work. A nil request asks for nothing.
func Check(p *query.PageRequest, u Unsupported) error {
	if p == nil {
		return nil
	}
	var refused []string
	if u.Offset && p.Offset > 0 {
		refused = append(refused, "pagination.offset")
	}
	if u.CountTotal && p.CountTotal {
		refused = append(refused, "pagination.count_total")
	}
	if len(refused) == 0 {
		return nil
	}
	works := []string{"pagination.key (the previous page's next_key)", "pagination.limit", "pagination.reverse"}
	if !u.Offset {
		works = append(works, "pagination.offset")
	}
	if !u.CountTotal {
		works = append(works, "pagination.count_total")
	}
	verb := "is"
	if len(refused) > 1 {
		verb = "are"
	}
	return status.Errorf(codes.InvalidArgument, "%s %s not supported for this listing because %s; use %s",
		strings.Join(refused, " and "), verb, u.Because, strings.Join(works, ", "))
}

// Paginate is query.CollectionFilteredPaginate (predicate may be nil) that
// also fills the total when count_total is set with a key or with an offset
// past the end. page must come from Normalize. A filtered list must not use
// offset (see the package comment): that is refused here as a bug guard.
func Paginate[K, V any, C query.Collection[K, V], T any](
	ctx context.Context, coll C, page *query.PageRequest,
	predicate func(K, V) (bool, error), transform func(K, V) (T, error),
	opts ...func(*query.CollectionsPaginateOptions[K]),
) ([]T, *query.PageResponse, error) {
	if predicate != nil && page.Offset > 0 {
		return nil, nil, fmt.Errorf("pagination.offset is not supported for a filtered listing; use pagination.key")
	}
	results, res, err := query.CollectionFilteredPaginate(ctx, coll, page, predicate, transform, opts...)
	if err != nil {
		return nil, nil, err
	}
	if res == nil {
		res = &query.PageResponse{}
	}
	if page.CountTotal && (len(page.Key) > 0 || (page.Offset > 0 && len(results) == 0)) {
		if res.Total, err = Count(ctx, coll, predicate, opts...); err != nil {
			return nil, nil, err
		}
	}
	return results, res, nil
}

// Count counts the entries of coll (under the prefix opts set) that
// predicate accepts (all when nil), with the SDK's own counting walk.
func Count[K, V any, C query.Collection[K, V]](
	ctx context.Context, coll C, predicate func(K, V) (bool, error), opts ...func(*query.CollectionsPaginateOptions[K]),
) (uint64, error) {
	_, res, err := query.CollectionFilteredPaginate(ctx, coll, &query.PageRequest{Limit: 1, CountTotal: true}, predicate,
		func(K, V) (struct{}, error) { return struct{}{}, nil }, opts...)
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}
