package prober

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// Target is one data unit to probe.
type Target struct {
	UnitID   uint64
	Endpoint string // base URL of the unit, e.g. "https://s3.example.com/bucket-a"
}

// probePrefix is the path segment under a unit's endpoint that holds the
// probe objects (see PROTOCOL.md).
const probePrefix = "flashback-probe"

// maxEndpointLen bounds the endpoint strings we parse; they come from chain
// state, which any provider can write to.
const maxEndpointLen = 2048

// probeURLs are the fixed URLs of one target, built once per assignment.
type probeURLs struct {
	ping     string
	download string
	base     *url.URL // for building upload URLs, which carry a fresh nonce
}

// parseEndpoint validates a unit's base URL and builds its probe URLs. An
// error makes every check of the target fail: the unit is down for us.
func parseEndpoint(endpoint string, objectSize int64) (probeURLs, error) {
	if len(endpoint) > maxEndpointLen {
		return probeURLs{}, fmt.Errorf("endpoint longer than %d bytes", maxEndpointLen)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return probeURLs{}, fmt.Errorf("unparsable endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return probeURLs{}, fmt.Errorf("endpoint scheme must be http or https, got %q", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return probeURLs{}, errors.New("endpoint has no host")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return probeURLs{}, fmt.Errorf("endpoint port must be in [1, 65535], got %q", port)
		}
	}
	if u.User != nil {
		// Probes are anonymous; credentials in on-chain data would be public.
		return probeURLs{}, errors.New("endpoint must not contain user info")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return probeURLs{}, errors.New("endpoint must not have a query or fragment")
	}
	return probeURLs{
		ping:     objectURL(u, "ping"),
		download: objectURL(u, "object-"+strconv.FormatInt(objectSize, 10)),
		base:     u,
	}, nil
}

// objectURL returns base/flashback-probe/name with exactly one slash between
// path segments (JoinPath collapses duplicate slashes and dot segments).
func objectURL(base *url.URL, name string) string {
	return base.JoinPath(probePrefix, name).String()
}

// uploadURL returns the upload URL for one check.
func (u probeURLs) uploadURL(nonce string) string {
	return objectURL(u.base, "upload-"+nonce)
}
