package prober

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseEndpoint(t *testing.T) {
	good := map[string]string{
		"http://127.0.0.1:9001/unit1":          "http://127.0.0.1:9001/unit1/flashback-probe/ping",
		"http://127.0.0.1:9001/unit1/":         "http://127.0.0.1:9001/unit1/flashback-probe/ping",
		"https://s3.example.com/bucket-a//":    "https://s3.example.com/bucket-a/flashback-probe/ping",
		"https://s3.example.com":               "https://s3.example.com/flashback-probe/ping",
		"https://bucket.s3.example.com/":       "https://bucket.s3.example.com/flashback-probe/ping",
		"http://[::1]:9001/a%20b":              "http://[::1]:9001/a%20b/flashback-probe/ping",
		"HTTPS://S3.Example.com/Bucket":        "https://S3.Example.com/Bucket/flashback-probe/ping",
		"https://s3.example.com/a/../bucket-b": "https://s3.example.com/bucket-b/flashback-probe/ping",
	}
	for endpoint, wantPing := range good {
		u, err := parseEndpoint(endpoint, 262144)
		require.NoError(t, err, endpoint)
		require.Equal(t, wantPing, u.ping, endpoint)
		require.Equal(t, wantPing[:len(wantPing)-len("ping")]+"object-262144", u.download)
		require.Equal(t, wantPing[:len(wantPing)-len("ping")]+"upload-abc", u.uploadURL("abc"))
	}

	bad := map[string]string{
		"":                             "scheme",
		"not a url":                    "scheme",
		"ftp://host/unit":              "scheme",
		"file:///etc/passwd":           "scheme",
		"//host/unit":                  "scheme",
		"http://":                      "no host",
		"http://:80/unit":              "no host",
		"http:opaque":                  "no host",
		"http://[::1":                  "unparsable",
		"http://host/\x00":             "unparsable",
		"https://user:pw@host/unit":    "user info",
		"https://host/unit?x-amz=1":    "query",
		"https://host/unit?":           "query",
		"https://host/unit#frag":       "fragment",
		"https://host/" + long(3000):   "longer than",
		"javascript:alert(1)":          "scheme",
		"http://host:99999999999/unit": "port",
		"http://host:0/unit":           "port",
	}
	for endpoint, wantErr := range bad {
		_, err := parseEndpoint(endpoint, 262144)
		require.Error(t, err, endpoint)
		require.Contains(t, err.Error(), wantErr, endpoint)
	}
}

func long(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}
