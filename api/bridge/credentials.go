// Package bridge is the consumer side of the API service: it finds a deal's
// provider node and the deal's credentials from the chain. The code lives in
// the consumer library, api/client; these names are kept for the bridge's
// callers.
package bridge

import "github.com/flashbacknetwork/flashbackd/api/client"

// ChainReader is what resolving a deal reads of x/orchestrator.
type ChainReader = client.ChainReader

// DealAccess is how a consumer reaches a deal's storage with any S3 client.
type DealAccess = client.DealAccess

// ResolveDeal derives a deal's access (see client.ResolveDeal).
var ResolveDeal = client.ResolveDeal
