package keeper

import "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"

// SetDueFaultForTest makes the due items fault returns an error for fail
// inside their isolated run, as a bug would; nil removes the fault.
func (k Keeper) SetDueFaultForTest(fault func(kind types.DueKind, id uint64) error) {
	k.deps.dueFault = fault
}

// SlaPhases are the keeper's SLA round phases, for the test that genesis
// validation knows the same ones.
var SlaPhases = []uint32{phaseDeals, phaseUnits}
