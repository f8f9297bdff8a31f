package paging

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"
)

// Normalize applies the SDK's defaults: no limit means the default page and
// the total (where the list can count); a limit is clamped; the request is
// copied, not changed.
func TestNormalize(t *testing.T) {
	require.Equal(t, &query.PageRequest{Limit: 50, CountTotal: true}, Normalize(nil, 50, 200, true))
	require.Equal(t, &query.PageRequest{Limit: 50}, Normalize(nil, 50, 200, false), "a list that cannot count drops the implied total")
	in := &query.PageRequest{Limit: 1_000, Key: []byte{}, Reverse: true}
	require.Equal(t, &query.PageRequest{Limit: 200, Reverse: true}, Normalize(in, 50, 200, true), "an explicit limit implies no total")
	require.Equal(t, uint64(1_000), in.Limit)
}

// Check refuses what a list cannot serve, as the client asked it, and says
// what works instead.
func TestCheck(t *testing.T) {
	u := Unsupported{Offset: true, Because: "the state is read from each deal"}
	require.NoError(t, Check(nil, u))
	require.NoError(t, Check(&query.PageRequest{Limit: 5, CountTotal: true, Reverse: true}, u))
	err := Check(&query.PageRequest{Offset: 3}, u)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	require.Equal(t, "pagination.offset is not supported for this listing because the state is read from each deal; "+
		"use pagination.key (the previous page's next_key), pagination.limit, pagination.reverse, pagination.count_total",
		status.Convert(err).Message())
	err = Check(&query.PageRequest{Offset: 3, CountTotal: true}, Unsupported{Offset: true, CountTotal: true, Because: "x"})
	require.Contains(t, status.Convert(err).Message(), "pagination.offset and pagination.count_total are not")
}
