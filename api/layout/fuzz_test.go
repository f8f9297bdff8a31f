package layout_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/layout"
)

// FuzzDealFromBucket: a bucket name from an S3 request never panics the
// parser, and one deal has exactly one bucket name.
func FuzzDealFromBucket(f *testing.F) {
	for _, s := range []string{"deal-42", "deal-", "deal-042", "deal-0", "deal-18446744073709551615", "deal-18446744073709551616", "unit-1", "deal-+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, bucket string) {
		id, ok := layout.DealFromBucket(bucket)
		if !ok {
			require.Zero(t, id)
			return
		}
		require.NotZero(t, id, "deal ids start at 1")
		require.Equal(t, bucket, layout.DealBucket(id), "only the canonical name of a deal is accepted")
	})
}

// FuzzS3Endpoint: a unit endpoint read from chain never panics the
// parser; an endpoint it accepts gives an http(s) URL without query or
// fragment, from which the unit's endpoint is built back to the same S3
// endpoint.
func FuzzS3Endpoint(f *testing.F) {
	for _, s := range []string{
		"https://s3.acme.example:9000/unit-7", "http://127.0.0.1:26610/gw/unit-7/", "https://s3.acme.example/unit-7?x=1#frag",
		"https://s3.acme.example/unit-8", "ftp://x/unit-7", "https://u:p@h/a%2Fb/unit-7", "",
	} {
		f.Add(s, uint64(7))
	}
	f.Fuzz(func(t *testing.T, endpoint string, unit uint64) {
		base, err := layout.S3Endpoint(endpoint, unit)
		if err != nil {
			require.Empty(t, base)
			return
		}
		u, err := url.Parse(base)
		require.NoError(t, err, "S3 endpoint %q of %q", base, endpoint)
		require.Contains(t, []string{"http", "https"}, u.Scheme)
		require.NotEmpty(t, u.Host)
		require.Empty(t, u.RawQuery)
		require.Empty(t, u.Fragment)
		again, err := layout.S3Endpoint(layout.UnitEndpoint(base, unit), unit)
		require.NoError(t, err, "unit endpoint built from %q", base)
		require.Equal(t, base, again)
	})
}
