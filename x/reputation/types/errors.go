package types

import "cosmossdk.io/errors"

// Registered errors of x/reputation. Codes are stable: never renumber.
var (
	ErrInvalidParams    = errors.Register(ModuleName, 2, "invalid params")
	ErrUnauthorized     = errors.Register(ModuleName, 3, "unauthorized")
	ErrInvalidGenesis   = errors.Register(ModuleName, 4, "invalid genesis")
	ErrInvalidInput     = errors.Register(ModuleName, 5, "invalid input")
	ErrNotEligible      = errors.Register(ModuleName, 6, "not eligible to rate")
	ErrAlreadyRated     = errors.Register(ModuleName, 7, "deal already rated")
	ErrNotFound         = errors.Register(ModuleName, 8, "not found")
	ErrDisputeWindow    = errors.Register(ModuleName, 9, "dispute window closed")
	ErrDisputeExists    = errors.Register(ModuleName, 10, "dispute already open")
	ErrDisputeNotOpen   = errors.Register(ModuleName, 11, "dispute not open")
	ErrNothingToDispute = errors.Register(ModuleName, 12, "nothing to dispute")
	// ErrRatingUnderpaid: the deal has not paid its provider
	// min_rating_payment yet (net of refunds), so its consumer may not rate.
	ErrRatingUnderpaid = errors.Register(ModuleName, 13, "deal paid too little to rate")
)
