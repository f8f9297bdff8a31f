package types

import "cosmossdk.io/errors"

// Registered errors of x/oracle. Codes are stable: never renumber.
var (
	ErrInvalidParams   = errors.Register(ModuleName, 2, "invalid params")
	ErrUnauthorized    = errors.Register(ModuleName, 3, "unauthorized")
	ErrInvalidGenesis  = errors.Register(ModuleName, 4, "invalid genesis")
	ErrInvalidInput    = errors.Register(ModuleName, 5, "invalid input")
	ErrDealNotFound    = errors.Register(ModuleName, 6, "deal not found")
	ErrDealNotOpen     = errors.Register(ModuleName, 7, "deal is not open")
	ErrTooSoon         = errors.Register(ModuleName, 8, "self-report too soon")
	ErrNoRecord        = errors.Register(ModuleName, 9, "no QoS record")
	ErrRegistryMissing = errors.Register(ModuleName, 10, "unit registry not set") // retired: the registries are NewKeeper arguments; kept so that code 10 is never reused
	ErrInjectedOnly    = errors.Register(ModuleName, 11, "only the block proposer injects this message, as the block's first transaction")
)
