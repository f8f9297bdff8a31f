package types

import "context"

// ProbeTarget is a data unit the oracle may assign for probing.
type ProbeTarget struct {
	UnitID   uint64
	Provider string
	Endpoint string
}

// UnitRegistry is what the oracle needs from the marketplace (x/orchestrator
// implements it). The oracle imports no other Flashback module.
type UnitRegistry interface {
	// LiveUnitCount returns the number of data units that are not
	// decommissioned.
	LiveUnitCount(ctx context.Context) (uint64, error)
	// LiveUnitAt returns the live unit at an ordinal in [0, LiveUnitCount):
	// a dense numbering of the live units, in no particular order, read in
	// O(log n).
	LiveUnitAt(ctx context.Context, ordinal uint64) (ProbeTarget, error)
}

// DealParties are the parties of a deal, for self-reports.
type DealParties struct {
	Consumer string
	Provider string
	UnitID   uint64
	// Open is true for a pending or running deal.
	Open bool
}

// DealRegistry tells who may self-report on a deal (x/orchestrator
// implements it).
type DealRegistry interface {
	DealParties(ctx context.Context, dealID uint64) (DealParties, error)
}
