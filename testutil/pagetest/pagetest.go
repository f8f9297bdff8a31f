// Package pagetest checks a list query against the SDK's pagination
// contract (query.PageRequest: key, offset, limit, count_total, reverse), so
// that every list query of the chain is held to the same promise.
package pagetest

import (
	"fmt"
	"slices"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"
)

// List runs a list query with a page request and returns the ids of what
// it listed (in order) and its page response.
type List func(page *query.PageRequest) ([]string, *query.PageResponse, error)

// Supports says which options the list serves besides key, limit and
// reverse, which every list serves. An option it does not serve must be
// refused with codes.InvalidArgument and a message that names what works.
type Supports struct {
	Offset, CountTotal bool
}

// All is a list that serves every option.
var All = Supports{Offset: true, CountTotal: true}

// Check runs list with every kind of page request and compares the results
// with want, the whole listing in order (at least three entries, so that
// pages have neighbours).
func Check(t require.TestingT, list List, want []string, s Supports) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	require.GreaterOrEqual(t, len(want), 3, "the listing under test needs at least three entries")
	reversed := slices.Clone(want)
	slices.Reverse(reversed)

	// No pagination at all: everything (the lists here are shorter than
	// the default limit), and, as in the SDK, the total when the list can
	// count.
	got, res, err := list(nil)
	require.NoError(t, err)
	require.Equal(t, want, got, "no pagination")
	require.Empty(t, res.NextKey, "no pagination")
	if s.CountTotal {
		require.Equal(t, uint64(len(want)), res.Total, "no limit implies count_total")
	}

	// Key pagination, both ways, with several page sizes: no gap, no
	// duplicate, the right order.
	for _, reverse := range []bool{false, true} {
		expect := want
		if reverse {
			expect = reversed
		}
		for _, limit := range []uint64{1, 2, uint64(len(want)) - 1, uint64(len(want))} {
			require.Equal(t, expect, walkByKey(t, list, limit, reverse), "key pages of %d, reverse %v", limit, reverse)
		}
	}

	// Offset, both ways, up to and past the end.
	if s.Offset {
		for _, reverse := range []bool{false, true} {
			expect := want
			if reverse {
				expect = reversed
			}
			for offset := 0; offset <= len(want)+1; offset++ {
				got, _, err := list(&query.PageRequest{Offset: uint64(offset), Limit: 2, Reverse: reverse})
				require.NoError(t, err, "offset %d", offset)
				require.Equal(t, window(expect, offset, 2), orEmpty(got), "offset %d, reverse %v", offset, reverse)
			}
		}
	} else {
		requireRefused(t, list, &query.PageRequest{Offset: 1, Limit: 2}, "pagination.offset")
	}

	// count_total: the whole listing's size on a first page, on an offset
	// page, on a key page and in reverse.
	if s.CountTotal {
		first, res, err := list(&query.PageRequest{Limit: 1, CountTotal: true})
		require.NoError(t, err)
		require.Len(t, first, 1)
		require.Equal(t, uint64(len(want)), res.Total, "count_total on the first page")
		require.NotEmpty(t, res.NextKey)
		_, res2, err := list(&query.PageRequest{Key: res.NextKey, Limit: 1, CountTotal: true})
		require.NoError(t, err)
		require.Equal(t, uint64(len(want)), res2.Total, "count_total on a key page")
		_, res3, err := list(&query.PageRequest{Limit: 2, CountTotal: true, Reverse: true})
		require.NoError(t, err)
		require.Equal(t, uint64(len(want)), res3.Total, "count_total in reverse")
		if s.Offset {
			_, res4, err := list(&query.PageRequest{Offset: 1, Limit: 1, CountTotal: true})
			require.NoError(t, err)
			require.Equal(t, uint64(len(want)), res4.Total, "count_total on an offset page")
			_, res5, err := list(&query.PageRequest{Offset: uint64(len(want)) + 5, Limit: 1, CountTotal: true})
			require.NoError(t, err)
			require.Equal(t, uint64(len(want)), res5.Total, "count_total past the end")
		}
	} else {
		requireRefused(t, list, &query.PageRequest{Limit: 2, CountTotal: true}, "pagination.count_total")
	}
}

// walkByKey pages through the whole listing by key and returns what it read.
func walkByKey(t require.TestingT, list List, limit uint64, reverse bool) []string {
	var all []string
	var key []byte
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100, "key pagination does not end")
		got, res, err := list(&query.PageRequest{Key: key, Limit: limit, Reverse: reverse})
		require.NoError(t, err)
		require.LessOrEqual(t, uint64(len(got)), limit)
		all = append(all, got...)
		if len(res.NextKey) == 0 {
			return orEmpty(all)
		}
		key = res.NextKey
	}
}

func requireRefused(t require.TestingT, list List, page *query.PageRequest, option string) {
	_, _, err := list(page)
	require.Error(t, err, "%s must be refused", option)
	require.Equal(t, codes.InvalidArgument, status.Code(err), "%s: %v", option, err)
	msg := status.Convert(err).Message()
	require.Contains(t, msg, option, "the error names what is refused")
	require.Contains(t, msg, "pagination.key", "the error says what works")
}

func window(s []string, offset, n int) []string {
	if offset >= len(s) {
		return []string{}
	}
	return orEmpty(s[offset:min(offset+n, len(s))])
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// IDs formats ids for Check.
func IDs[T any](items []T, id func(T) any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprint(id(it))
	}
	return out
}
