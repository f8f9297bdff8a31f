package types

import "fmt"

// validateSlaState checks the SLA-enforcement state of a genesis: pending
// offered SLAs and the worst deal verdicts per (unit, epoch).
func (gs GenesisState) validateSlaState(units map[uint64]DataUnit) error {
	for _, u := range gs.DataUnits {
		if (u.PendingSla == nil) != (u.PendingSlaSince == nil) {
			return fmt.Errorf("data unit %d: pending_sla and pending_sla_since must be set together", u.Id)
		}
		if u.PendingSla != nil {
			if err := u.PendingSla.Validate(); err != nil {
				return fmt.Errorf("data unit %d pending_sla: %w", u.Id, err)
			}
		}
	}
	type unitEpoch struct {
		unit  uint64
		epoch int64
	}
	seen := make(map[unitEpoch]bool, len(gs.WorstDealVerdicts))
	for _, w := range gs.WorstDealVerdicts {
		if _, ok := units[w.UnitId]; !ok {
			return fmt.Errorf("worst deal verdict of epoch %d refers to unknown data unit %d", w.Epoch, w.UnitId)
		}
		if _, ok := SlaVerdict_name[int32(w.Verdict)]; !ok {
			return fmt.Errorf("worst deal verdict of unit %d in epoch %d is invalid: %d", w.UnitId, w.Epoch, w.Verdict)
		}
		key := unitEpoch{w.UnitId, w.Epoch}
		if seen[key] {
			return fmt.Errorf("worst deal verdict of unit %d in epoch %d listed twice", w.UnitId, w.Epoch)
		}
		seen[key] = true
	}
	return nil
}
