// Package gateway is the provider node's S3 endpoint: one versitygw
// (github.com/versity/versitygw) server for every data unit and every deal
// of the node. Deals are buckets (deal-<id>, path-style) that exist exactly
// while the node serves the deal, open only to the deal's credentials; each
// deal's objects live under deals/<id>/ in its unit's storage, a local
// directory (posix) or an upstream S3 bucket. Every unit also serves the
// validators' probe protocol anonymously at /unit-<id>/flashback-probe/.
//
// The package does not talk to the chain: the node calls PutDeal and
// RemoveDeal as deals start, close and end, and reads Usage and Registry
// for metering. See api/provider/README.md.
package gateway
