package types

import (
	"fmt"
	"time"
)

// validateDueFailures checks the failure records of due items: a known
// kind; a deal's record names an open deal, a maintenance record an
// existing unit, a bond return's an exiting provider (by address, with id
// 0); at least one failed attempt; times in order; a bond return retried at
// the provider's unbonding time (its retry lives there). One record per
// item.
func (gs GenesisState) validateDueFailures(deals map[uint64]Deal, units map[uint64]DataUnit, providers map[string]Provider) error {
	seen := make(map[string]bool, len(gs.DueFailures))
	for _, f := range gs.DueFailures {
		kind, ok := DueKindFromName(f.Kind)
		if !ok {
			return fmt.Errorf("due failure of unknown kind %q", f.Kind)
		}
		name := fmt.Sprintf("%s %d%s", f.Kind, f.Id, f.Provider)
		if seen[name] {
			return fmt.Errorf("due failure of %s listed twice", name)
		}
		seen[name] = true
		if err := f.validate(kind, deals, units, providers); err != nil {
			return fmt.Errorf("due failure of %s: %w", name, err)
		}
	}
	return nil
}

func (f DueFailure) validate(kind DueKind, deals map[uint64]Deal, units map[uint64]DataUnit, providers map[string]Provider) error {
	if f.Attempts == 0 {
		return fmt.Errorf("attempts must be at least 1")
	}
	if f.FirstFailedAt.IsZero() || f.LastFailedAt.Before(f.FirstFailedAt) {
		return fmt.Errorf("first_failed_at %s must be set and not after last_failed_at %s",
			f.FirstFailedAt.Format(time.RFC3339), f.LastFailedAt.Format(time.RFC3339))
	}
	if f.RetryAt != nil && !f.RetryAt.After(f.LastFailedAt) {
		return fmt.Errorf("retry_at %s must be after last_failed_at %s", f.RetryAt.Format(time.RFC3339), f.LastFailedAt.Format(time.RFC3339))
	}
	if (kind == DueUnbonding) != (f.Provider != "") || (kind == DueUnbonding && f.Id != 0) {
		return fmt.Errorf("a bond return names its provider (and id 0); other items name an id and no provider")
	}
	switch kind {
	case DueDeal:
		d, ok := deals[f.Id]
		if !ok || (d.State != DEAL_STATE_PENDING && !d.Running()) {
			return fmt.Errorf("it must name a pending or running deal")
		}
	case DueMaintenanceStart, DueMaintenanceEnd:
		if _, ok := units[f.Id]; !ok {
			return fmt.Errorf("unknown data unit")
		}
	case DueUnbonding:
		p, ok := providers[f.Provider]
		if !ok || p.Status != PROVIDER_STATUS_EXITING {
			return fmt.Errorf("it must name an exiting provider")
		}
		if f.RetryAt != nil && !f.RetryAt.Equal(*p.UnbondingCompletesAt) {
			return fmt.Errorf("retry_at %s must be the provider's unbonding_completes_at %s", f.RetryAt.Format(time.RFC3339), p.UnbondingCompletesAt.Format(time.RFC3339))
		}
	}
	return nil
}
