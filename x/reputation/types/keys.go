package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the module, its store key and its module account.
	ModuleName = "reputation"

	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Collection prefixes. Each collection owns exactly one prefix; never reuse a
// retired prefix.
var (
	ParamsKey = collections.NewPrefix(0)
)
