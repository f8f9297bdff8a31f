// Package layout holds the conventions shared by provider nodes, consumer
// bridges and validators' probers: how a deal is named as a bucket and where
// a unit's S3 endpoint is.
package layout

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// DealBucket is the bucket through which a deal's consumer reaches its data
// on the provider node.
func DealBucket(dealID uint64) string { return "deal-" + strconv.FormatUint(dealID, 10) }

// DealFromBucket is DealBucket's inverse; ok is false for any other name.
func DealFromBucket(bucket string) (dealID uint64, ok bool) {
	digits, found := strings.CutPrefix(bucket, "deal-")
	if !found || digits == "" || digits[0] == '0' {
		return 0, false
	}
	id, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		// ParseUint returns the largest uint64 for a number out of range:
		// never hand back an id with ok false.
		return 0, false
	}
	return id, true
}

// ReceiptKey is the object key, in a deal's bucket, to which the consumer's
// bridge uploads its latest signed usage receipt (api/receipts). The
// provider node takes it instead of storing it: the deal's SigV4
// credentials authenticate the upload, the consumer's signature makes it
// billable on chain.
const ReceiptKey = ".flashback/usage-receipt"

// UnitPath is the path, below a provider node's public URL, that a data
// unit registers as its endpoint: validators probe <endpoint>/flashback-probe/…
func UnitPath(unitID uint64) string { return "unit-" + strconv.FormatUint(unitID, 10) }

// UnitEndpoint is the endpoint a unit served by the node at publicURL
// registers on chain.
func UnitEndpoint(publicURL string, unitID uint64) string {
	return strings.TrimRight(publicURL, "/") + "/" + UnitPath(unitID)
}

// S3Endpoint is the S3 endpoint (path-style) of the node that serves a unit
// registered with unitEndpoint: the endpoint without its unit path.
func S3Endpoint(unitEndpoint string, unitID uint64) (string, error) {
	u, err := url.Parse(unitEndpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("unit %d's endpoint %q is not an http(s) URL", unitID, unitEndpoint)
	}
	path := strings.TrimRight(u.Path, "/")
	base, found := strings.CutSuffix(path, "/"+UnitPath(unitID))
	if !found {
		return "", fmt.Errorf("unit %d's endpoint %q is not served by a provider node (it does not end in /%s)", unitID, unitEndpoint, UnitPath(unitID))
	}
	// An empty query ("…/unit-7?") sets ForceQuery, which String() would
	// write back as a trailing "?": the S3 endpoint has no query at all.
	u.Path, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = base, "", false, "", ""
	return strings.TrimRight(u.String(), "/"), nil
}
