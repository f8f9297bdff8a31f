package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis returns the default genesis state.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextDisputeId: 1}
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
	if gs.NextDisputeId == 0 {
		return fmt.Errorf("next_dispute_id must be at least 1")
	}
	if !gs.Pool.IsNil() && gs.Pool.IsNegative() {
		return fmt.Errorf("pool must not be negative, got %s", gs.Pool)
	}
	for _, p := range gs.PendingRewards {
		if p.Amount.IsNil() || p.Amount.IsNegative() {
			return fmt.Errorf("pending reward of %s must not be negative", p.Provider)
		}
	}
	units := make(map[uint64]bool, len(gs.UnitScores))
	for _, u := range gs.UnitScores {
		if units[u.UnitId] || u.Score > MaxScore {
			return fmt.Errorf("unit score %d is duplicated or above %d", u.UnitId, MaxScore)
		}
		units[u.UnitId] = true
	}
	providers := make(map[string]bool, len(gs.ProviderScores))
	for _, p := range gs.ProviderScores {
		if providers[p.Provider] || p.Objective > MaxScore || p.Overall > MaxScore || p.CommunityScore > MaxScore {
			return fmt.Errorf("provider score %s is duplicated or out of range", p.Provider)
		}
		if err := p.Community.ValidateStarCounts(); err != nil {
			return fmt.Errorf("provider score %s: %w", p.Provider, err)
		}
		providers[p.Provider] = true
	}
	deals := make(map[uint64]bool, len(gs.Ratings))
	for _, r := range gs.Ratings {
		if deals[r.DealId] {
			return fmt.Errorf("rating of deal %d is duplicated", r.DealId)
		}
		if err := ValidateRating(r); err != nil {
			return err
		}
		deals[r.DealId] = true
	}
	ids := make(map[uint64]bool, len(gs.Disputes))
	for _, d := range gs.Disputes {
		if d.Id == 0 || d.Id >= gs.NextDisputeId || ids[d.Id] {
			return fmt.Errorf("dispute id %d is duplicated or not below next_dispute_id %d", d.Id, gs.NextDisputeId)
		}
		ids[d.Id] = true
	}
	return nil
}
