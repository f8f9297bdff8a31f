package layout_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/layout"
)

func TestDealBucket(t *testing.T) {
	require.Equal(t, "deal-42", layout.DealBucket(42))
	id, ok := layout.DealFromBucket("deal-42")
	require.True(t, ok)
	require.Equal(t, uint64(42), id)
	for _, bad := range []string{"deal-", "deal-042", "deal-x", "unit-1", "deal-18446744073709551616", "Deal-1", "deal--1"} {
		_, ok := layout.DealFromBucket(bad)
		require.False(t, ok, bad)
	}
}

func TestS3Endpoint(t *testing.T) {
	require.Equal(t, "https://s3.acme.example:9000/unit-7", layout.UnitEndpoint("https://s3.acme.example:9000/", 7))
	for endpoint, want := range map[string]string{
		"https://s3.acme.example:9000/unit-7":     "https://s3.acme.example:9000",
		"https://s3.acme.example:9000/unit-7/":    "https://s3.acme.example:9000",
		"http://127.0.0.1:26610/gw/unit-7":        "http://127.0.0.1:26610/gw",
		"https://s3.acme.example/unit-7?x=1#frag": "https://s3.acme.example",
	} {
		got, err := layout.S3Endpoint(endpoint, 7)
		require.NoError(t, err, endpoint)
		require.Equal(t, want, got, endpoint)
	}
	for _, bad := range []string{"https://s3.acme.example/unit-8", "https://s3.acme.example/bucket", "ftp://x/unit-7", "unit-7", ""} {
		_, err := layout.S3Endpoint(bad, 7)
		require.Error(t, err, bad)
	}
}
