package types

import "cosmossdk.io/errors"

// Registered errors of x/orchestrator. Codes are stable: never renumber.
var (
	ErrInvalidParams  = errors.Register(ModuleName, 2, "invalid params")
	ErrUnauthorized   = errors.Register(ModuleName, 3, "unauthorized")
	ErrInvalidGenesis = errors.Register(ModuleName, 4, "invalid genesis")
)
