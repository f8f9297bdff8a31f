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
	// LiveUnitsFrom returns up to limit data units that are not
	// decommissioned, with id ≥ startID, in id order.
	LiveUnitsFrom(ctx context.Context, startID uint64, limit int) ([]ProbeTarget, error)
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
