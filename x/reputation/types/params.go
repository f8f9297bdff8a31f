package types

import (
	"fmt"
	"time"

	sdkmath "cosmossdk.io/math"
)

// Score scale: every score is an integer in [MinScore, MaxScore].
const (
	MinScore = 0
	MaxScore = 100
)

// Defaults, from the reference documents (reputation-system.md).
var (
	DefaultBaselineScore    uint32 = 50
	DefaultObjectiveWeight         = sdkmath.LegacyNewDecWithPrec(7, 1)
	DefaultCommunityWeight         = sdkmath.LegacyNewDecWithPrec(3, 1)
	DefaultMinPublicRatings uint32 = 10
	DefaultDeltaMet         int32  = 1
	DefaultDeltaExceeded    int32  = 2
	DefaultDeltaMissed      int32  = -1
	DefaultDeltaCritical    int32  = -2
	DefaultDecayPeriod             = 30 * 24 * time.Hour
	DefaultDecayPoints      uint32 = 1
)

// DefaultParams returns the default module parameters.
func DefaultParams() Params {
	return Params{
		BaselineScore:    DefaultBaselineScore,
		ObjectiveWeight:  DefaultObjectiveWeight,
		CommunityWeight:  DefaultCommunityWeight,
		MinPublicRatings: DefaultMinPublicRatings,
		DeltaMet:         DefaultDeltaMet,
		DeltaExceeded:    DefaultDeltaExceeded,
		DeltaMissed:      DefaultDeltaMissed,
		DeltaCritical:    DefaultDeltaCritical,
		DecayPeriod:      DefaultDecayPeriod,
		DecayPoints:      DefaultDecayPoints,
	}
}

// Validate checks every parameter; it is called on genesis and on every
// MsgUpdateParams.
func (p Params) Validate() error {
	if p.BaselineScore > MaxScore {
		return fmt.Errorf("baseline_score must be in [%d, %d], got %d", MinScore, MaxScore, p.BaselineScore)
	}
	if err := validateWeight("objective_weight", p.ObjectiveWeight); err != nil {
		return err
	}
	if err := validateWeight("community_weight", p.CommunityWeight); err != nil {
		return err
	}
	if !p.ObjectiveWeight.Add(p.CommunityWeight).Equal(sdkmath.LegacyOneDec()) {
		return fmt.Errorf("objective_weight + community_weight must equal 1, got %s + %s", p.ObjectiveWeight, p.CommunityWeight)
	}
	if p.MinPublicRatings == 0 {
		return fmt.Errorf("min_public_ratings must be at least 1")
	}
	// Deltas keep their sign: a better verdict never scores lower than a worse one.
	if p.DeltaMet < 0 || p.DeltaExceeded < p.DeltaMet {
		return fmt.Errorf("deltas must satisfy 0 <= delta_met <= delta_exceeded, got %d, %d", p.DeltaMet, p.DeltaExceeded)
	}
	if p.DeltaMissed > 0 || p.DeltaCritical > p.DeltaMissed {
		return fmt.Errorf("deltas must satisfy delta_critical <= delta_missed <= 0, got %d, %d", p.DeltaCritical, p.DeltaMissed)
	}
	if p.DeltaExceeded > MaxScore || p.DeltaCritical < -MaxScore {
		return fmt.Errorf("score deltas must be within ±%d", MaxScore)
	}
	if p.DecayPeriod <= 0 {
		return fmt.Errorf("decay_period must be positive, got %s", p.DecayPeriod)
	}
	if p.DecayPoints > MaxScore {
		return fmt.Errorf("decay_points must be at most %d, got %d", MaxScore, p.DecayPoints)
	}
	return nil
}

func validateWeight(name string, w sdkmath.LegacyDec) error {
	if w.IsNil() || w.IsNegative() || w.GT(sdkmath.LegacyOneDec()) {
		return fmt.Errorf("%s must be in [0, 1], got %s", name, w)
	}
	return nil
}
