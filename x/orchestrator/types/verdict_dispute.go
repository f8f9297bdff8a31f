package types

import sdkmath "cosmossdk.io/math"

// VerdictReversal is an upheld dispute of a unit's SLA verdict, as
// x/reputation decided it: what x/orchestrator must undo, and who pays the
// provider back.
type VerdictReversal struct {
	UnitId uint64
	Epoch  int64
	// UnitScore is the unit's score once the verdict's score change is
	// undone; nil when the verdict had not moved the score.
	UnitScore *uint32
	// FromModule pays the restitution (x/reputation's reward pool), at most
	// Budget of it.
	FromModule string
	Budget     sdkmath.Int
}

// VerdictRestitution is what an upheld verdict dispute owed the provider
// and what was paid back.
type VerdictRestitution struct {
	Provider string
	// Owed is the verdict's slash plus the SLA refunds of the unit's deals
	// in the epoch; Paid is what the budget covered of it.
	Owed, Paid sdkmath.Int
	// ToBond is the part of Paid that restored the bond (the slash and the
	// refunds' part taken from the bond); ToAccount says it went to the
	// provider's account instead, because the provider has exited. The rest
	// of Paid went back into the deals as withdrawable earnings.
	ToBond    sdkmath.Int
	ToAccount bool
}
