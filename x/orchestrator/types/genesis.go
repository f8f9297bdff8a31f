package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// DefaultGenesis returns the default genesis state.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextUnitId: 1, NextDealId: 1, PendingPlatformFees: sdkmath.ZeroInt()}
}

// Validate checks the genesis state; an invalid genesis never reaches InitGenesis.
func (gs GenesisState) Validate() error {
	if err := gs.validate(); err != nil {
		return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
	}
	return nil
}

func (gs GenesisState) validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if !gs.PendingPlatformFees.IsNil() && gs.PendingPlatformFees.IsNegative() {
		return fmt.Errorf("pending platform fees %s are negative", gs.PendingPlatformFees)
	}
	providers := make(map[string]Provider, len(gs.Providers))
	for _, p := range gs.Providers {
		if _, dup := providers[p.Address]; dup {
			return fmt.Errorf("provider %s listed twice", p.Address)
		}
		providers[p.Address] = p
		if err := validateAddress("provider", p.Address); err != nil {
			return err
		}
		if !nonNegative(p.Bond) {
			return fmt.Errorf("provider %s has an invalid bond", p.Address)
		}
		if p.Status != PROVIDER_STATUS_ACTIVE && p.Status != PROVIDER_STATUS_EXITING {
			return fmt.Errorf("provider %s has invalid status %s", p.Address, p.Status)
		}
		if (p.Status == PROVIDER_STATUS_EXITING) != (p.UnbondingCompletesAt != nil) {
			return fmt.Errorf("provider %s: unbonding_completes_at must be set exactly when exiting", p.Address)
		}
	}
	consumers := make(map[string]bool, len(gs.Consumers))
	for _, c := range gs.Consumers {
		if consumers[c.Address] {
			return fmt.Errorf("consumer %s listed twice", c.Address)
		}
		consumers[c.Address] = true
		if err := validateAddress("consumer", c.Address); err != nil {
			return err
		}
	}
	units := make(map[uint64]DataUnit, len(gs.DataUnits))
	for _, u := range gs.DataUnits {
		if u.Id == 0 || u.Id >= gs.NextUnitId {
			return fmt.Errorf("data unit id %d must be in [1, next_unit_id %d)", u.Id, gs.NextUnitId)
		}
		if _, dup := units[u.Id]; dup {
			return fmt.Errorf("data unit %d listed twice", u.Id)
		}
		units[u.Id] = u
		// A decommissioned unit outlives its provider: an exit forgets the
		// provider, not the history its deals and verdicts refer to.
		if _, ok := providers[u.Provider]; !ok && u.State != DATA_UNIT_STATE_DECOMMISSIONED {
			return fmt.Errorf("data unit %d belongs to unknown provider %s", u.Id, u.Provider)
		}
		if u.AllocatedGb > u.CapacityGb {
			return fmt.Errorf("data unit %d allocates %d of %d GB", u.Id, u.AllocatedGb, u.CapacityGb)
		}
		if _, ok := DataUnitState_name[int32(u.State)]; !ok || u.State == DATA_UNIT_STATE_UNSPECIFIED {
			return fmt.Errorf("data unit %d has invalid state %d", u.Id, u.State)
		}
		if err := validatePrice(u.PricePerGbMonth); err != nil {
			return fmt.Errorf("data unit %d: %w", u.Id, err)
		}
	}
	deals := make(map[uint64]Deal, len(gs.Deals))
	for _, d := range gs.Deals {
		if d.Id == 0 || d.Id >= gs.NextDealId {
			return fmt.Errorf("deal id %d must be in [1, next_deal_id %d)", d.Id, gs.NextDealId)
		}
		if _, dup := deals[d.Id]; dup {
			return fmt.Errorf("deal %d listed twice", d.Id)
		}
		deals[d.Id] = d
		if _, ok := units[d.UnitId]; !ok {
			return fmt.Errorf("deal %d refers to unknown data unit %d", d.Id, d.UnitId)
		}
		if d.State != DEAL_STATE_CLOSED && !consumers[d.Consumer] {
			return fmt.Errorf("open deal %d refers to unknown consumer %s", d.Id, d.Consumer)
		}
		if !nonNegative(d.Deposited, d.Accrued, d.Refunded, d.Withdrawn, d.FeesPaid, d.PenaltyPaid, d.MonthlyCost) {
			return fmt.Errorf("deal %d has a missing or negative amount", d.Id)
		}
		if d.Escrow().IsNegative() || d.Earnings().IsNegative() {
			return fmt.Errorf("deal %d pays out more than was deposited", d.Id)
		}
		if _, ok := DealState_name[int32(d.State)]; !ok || d.State == DEAL_STATE_UNSPECIFIED {
			return fmt.Errorf("deal %d has invalid state %d", d.Id, d.State)
		}
		if d.Running() && d.DueAt == nil {
			return fmt.Errorf("running deal %d has no due time", d.Id)
		} else if !d.Running() && d.DueAt != nil {
			return fmt.Errorf("%s deal %d has a due time; only running deals have one", d.State, d.Id)
		}
		if err := validateRunningTimes(d); err != nil {
			return err
		}
	}
	if err := gs.validateSla(deals, units); err != nil {
		return err
	}
	if err := gs.validateDueFailures(deals, units, providers); err != nil {
		return err
	}
	if err := validateAccessKeys(gs.AccessKeys, providers, consumers); err != nil {
		return err
	}
	return gs.validateSlaState(units)
}

// validateRunningTimes checks the times a running deal's settlement and due
// time are computed from (the end blocker dereferences them): a start before
// its end, a settlement time, and, once overdrawn, when it ran dry.
func validateRunningTimes(d Deal) error {
	if !d.Running() {
		return nil
	}
	if d.StartTime == nil || d.EndTime == nil || d.SettledAt == nil {
		return fmt.Errorf("running deal %d must have a start_time, an end_time and a settled_at", d.Id)
	}
	if !d.StartTime.Before(*d.EndTime) {
		return fmt.Errorf("running deal %d must start (%s) before it ends (%s)", d.Id, d.StartTime, d.EndTime)
	}
	if d.SettledAt.Before(*d.StartTime) {
		return fmt.Errorf("running deal %d is settled at %s, before its start %s", d.Id, d.SettledAt, d.StartTime)
	}
	if d.State == DEAL_STATE_OVERDRAWN && d.OverdrawnAt == nil {
		return fmt.Errorf("overdrawn deal %d must have an overdrawn_at", d.Id)
	}
	return nil
}

func nonNegative(amounts ...sdkmath.Int) bool {
	for _, a := range amounts {
		if a.IsNil() || a.IsNegative() {
			return false
		}
	}
	return true
}
