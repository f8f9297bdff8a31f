package types

import "cosmossdk.io/errors"

// Registered errors of x/orchestrator. Codes are stable: never renumber.
var (
	ErrInvalidParams       = errors.Register(ModuleName, 2, "invalid params")
	ErrUnauthorized        = errors.Register(ModuleName, 3, "unauthorized")
	ErrInvalidGenesis      = errors.Register(ModuleName, 4, "invalid genesis")
	ErrProviderExists      = errors.Register(ModuleName, 5, "provider already registered")
	ErrProviderNotFound    = errors.Register(ModuleName, 6, "provider not found")
	ErrConsumerExists      = errors.Register(ModuleName, 7, "consumer already registered")
	ErrConsumerNotFound    = errors.Register(ModuleName, 8, "consumer not found")
	ErrUnitNotFound        = errors.Register(ModuleName, 9, "data unit not found")
	ErrDealNotFound        = errors.Register(ModuleName, 10, "deal not found")
	ErrInvalidInput        = errors.Register(ModuleName, 11, "invalid input")
	ErrInvalidAmount       = errors.Register(ModuleName, 12, "invalid amount")
	ErrInsufficientBond    = errors.Register(ModuleName, 13, "insufficient provider bond")
	ErrProviderNotActive   = errors.Register(ModuleName, 14, "provider is not active")
	ErrProviderBusy        = errors.Register(ModuleName, 15, "provider has open deals or live data units")
	ErrUnitUnavailable     = errors.Register(ModuleName, 16, "data unit takes no new deals")
	ErrInsufficientCap     = errors.Register(ModuleName, 17, "insufficient free capacity")
	ErrInvalidState        = errors.Register(ModuleName, 18, "invalid state for this action")
	ErrDealClosed          = errors.Register(ModuleName, 19, "deal is closed")
	ErrInsufficientDeposit = errors.Register(ModuleName, 20, "insufficient deposit")
	ErrAmountTooLarge      = errors.Register(ModuleName, 21, "amount too large")
	ErrTooManyUnits        = errors.Register(ModuleName, 22, "too many data units")
	ErrInvalidDuration     = errors.Register(ModuleName, 23, "invalid duration")
	ErrInvalidSchedule     = errors.Register(ModuleName, 24, "invalid maintenance schedule")
	ErrNothingToWithdraw   = errors.Register(ModuleName, 25, "nothing to withdraw")
	ErrDenomInUse          = errors.Register(ModuleName, 26, "the marketplace denom still holds balances")
	// Codes 27–39 are left free; 40 on are the API service's.
	ErrInvalidAccessKey  = errors.Register(ModuleName, 40, "invalid access key")
	ErrAccessKeyNotFound = errors.Register(ModuleName, 41, "access key not found")
	ErrInvalidReceipt    = errors.Register(ModuleName, 42, "invalid usage receipt")
	ErrStaleReceipt      = errors.Register(ModuleName, 43, "usage receipt bills nothing new")
)
