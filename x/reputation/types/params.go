package types

import (
	"fmt"
	"sort"
	"strings"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/internal/address"
)

// Score scale: every score is an integer in [MinScore, MaxScore].
const (
	MinScore = 0
	MaxScore = 100
)

// Defaults, from the reference documents where they give a number
// (reputation-system.md, tokenomics-2025-08.md); the rest are choices
// recorded in the README.
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

	DefaultRecentRatingWindow          = 30 * 24 * time.Hour
	DefaultRecentRatingWeight          = sdkmath.LegacyNewDec(2)
	DefaultVerifiedRatingWeight        = sdkmath.LegacyNewDecWithPrec(15, 1)
	DefaultMaxCommentLength     uint32 = 280

	// DefaultMinRatingPayment is 1 FLASH: about 50 GB stored for a month at
	// 0.02 FLASH per GB-month, so any real customer gets there while a
	// one-hour, one-GB booking (a few dozen uflash) does not.
	DefaultMinRatingPayment = sdkmath.NewInt(1_000_000)
	// DefaultRatingPaymentCap is 100 FLASH (about 5 TB for a month at that
	// price): past it a rating weighs no more, so a whale's rating counts at
	// most 100 times a minimal one.
	DefaultRatingPaymentCap = sdkmath.NewInt(100_000_000)
	// MaxRatingPaymentCap bounds rating_payment_cap so that the community
	// sums stay far inside LegacyDec's range (a rating adds at most
	// 100 × 10^18 × 5 to them).
	MaxRatingPaymentCap = sdkmath.NewIntWithDecimal(1, 18)

	DefaultRewardEpochIdentifier        = "day"
	DefaultDisputeWindow                = 7 * 24 * time.Hour
	DefaultHistoryEpochs         uint32 = 30
	DefaultBadgeCompliancePeriod        = 180 * 24 * time.Hour
	DefaultTopPerformerScore     uint32 = 90
	DefaultMaxWorkPerBlock       uint32 = 200
)

// DefaultRewardBands are the tokenomics bands: score 60–79 earns 5 % a year
// of the bond, 80 and more 12 %; 20–39 pays 5 %, under 20 pays 12 %.
func DefaultRewardBands() []RewardBand {
	return []RewardBand{
		{MinScore: 0, MaxScore: 19, Rate: sdkmath.LegacyNewDecWithPrec(-12, 2)},
		{MinScore: 20, MaxScore: 39, Rate: sdkmath.LegacyNewDecWithPrec(-5, 2)},
		{MinScore: 60, MaxScore: 79, Rate: sdkmath.LegacyNewDecWithPrec(5, 2)},
		{MinScore: 80, MaxScore: 100, Rate: sdkmath.LegacyNewDecWithPrec(12, 2)},
	}
}

// DefaultParams returns the default module parameters.
func DefaultParams() Params {
	return Params{
		BaselineScore:         DefaultBaselineScore,
		ObjectiveWeight:       DefaultObjectiveWeight,
		CommunityWeight:       DefaultCommunityWeight,
		MinPublicRatings:      DefaultMinPublicRatings,
		DeltaMet:              DefaultDeltaMet,
		DeltaExceeded:         DefaultDeltaExceeded,
		DeltaMissed:           DefaultDeltaMissed,
		DeltaCritical:         DefaultDeltaCritical,
		DecayPeriod:           DefaultDecayPeriod,
		DecayPoints:           DefaultDecayPoints,
		RecentRatingWindow:    DefaultRecentRatingWindow,
		RecentRatingWeight:    DefaultRecentRatingWeight,
		VerifiedRatingWeight:  DefaultVerifiedRatingWeight,
		MaxCommentLength:      DefaultMaxCommentLength,
		RewardEpochIdentifier: DefaultRewardEpochIdentifier,
		RewardBands:           DefaultRewardBands(),
		DisputeWindow:         DefaultDisputeWindow,
		Arbiter:               "",
		HistoryEpochs:         DefaultHistoryEpochs,
		BadgeCompliancePeriod: DefaultBadgeCompliancePeriod,
		TopPerformerScore:     DefaultTopPerformerScore,
		MaxWorkPerBlock:       DefaultMaxWorkPerBlock,
		MinRatingPayment:      DefaultMinRatingPayment,
		RatingPaymentCap:      DefaultRatingPaymentCap,
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
	return p.validateCommunityAndRewards()
}

func (p Params) validateCommunityAndRewards() error {
	if p.RecentRatingWindow <= 0 {
		return fmt.Errorf("recent_rating_window must be positive")
	}
	for _, w := range []struct {
		name string
		v    sdkmath.LegacyDec
	}{{"recent_rating_weight", p.RecentRatingWeight}, {"verified_rating_weight", p.VerifiedRatingWeight}} {
		if w.v.IsNil() || w.v.LT(sdkmath.LegacyOneDec()) || w.v.GT(sdkmath.LegacyNewDec(100)) {
			return fmt.Errorf("%s must be in [1, 100], got %s", w.name, w.v)
		}
	}
	if err := p.validateRatingPayment(); err != nil {
		return err
	}
	if p.MaxCommentLength == 0 || p.MaxCommentLength > 4096 {
		return fmt.Errorf("max_comment_length must be in [1, 4096], got %d", p.MaxCommentLength)
	}
	if strings.TrimSpace(p.RewardEpochIdentifier) == "" {
		return fmt.Errorf("reward_epoch_identifier must name an x/epochs epoch")
	}
	if err := ValidateBands(p.RewardBands); err != nil {
		return err
	}
	if p.DisputeWindow <= 0 {
		return fmt.Errorf("dispute_window must be positive")
	}
	if p.Arbiter != "" {
		if err := address.ValidateCanonical("arbiter", p.Arbiter); err != nil {
			return fmt.Errorf("arbiter must be empty or a valid address: %w", err)
		}
	}
	if p.HistoryEpochs == 0 || p.HistoryEpochs > 1000 {
		return fmt.Errorf("history_epochs must be in [1, 1000], got %d", p.HistoryEpochs)
	}
	if p.BadgeCompliancePeriod <= 0 {
		return fmt.Errorf("badge_compliance_period must be positive")
	}
	if p.TopPerformerScore > MaxScore {
		return fmt.Errorf("top_performer_score must be at most %d", MaxScore)
	}
	if p.MaxWorkPerBlock == 0 || p.MaxWorkPerBlock > 10_000 {
		return fmt.Errorf("max_work_per_block must be in [1, 10000], got %d", p.MaxWorkPerBlock)
	}
	return nil
}

// ValidateBands checks reward bands: within [0, 100], min ≤ max, no overlap,
// rates in [−1, 1].
func ValidateBands(bands []RewardBand) error {
	sorted := append([]RewardBand(nil), bands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].MinScore < sorted[j].MinScore })
	for i, b := range sorted {
		if b.MinScore > b.MaxScore || b.MaxScore > MaxScore {
			return fmt.Errorf("reward band [%d, %d] must satisfy min <= max <= %d", b.MinScore, b.MaxScore, MaxScore)
		}
		if b.Rate.IsNil() || b.Rate.Abs().GT(sdkmath.LegacyOneDec()) {
			return fmt.Errorf("reward band [%d, %d] rate must be in [-1, 1], got %s", b.MinScore, b.MaxScore, b.Rate)
		}
		if i > 0 && b.MinScore <= sorted[i-1].MaxScore {
			return fmt.Errorf("reward bands [%d, %d] and [%d, %d] overlap", sorted[i-1].MinScore, sorted[i-1].MaxScore, b.MinScore, b.MaxScore)
		}
	}
	return nil
}

// BandFor returns the yearly rate of the band holding score (zero if none).
func (p Params) BandFor(score uint32) sdkmath.LegacyDec {
	for _, b := range p.RewardBands {
		if score >= b.MinScore && score <= b.MaxScore {
			return b.Rate
		}
	}
	return sdkmath.LegacyZeroDec()
}

func validateWeight(name string, w sdkmath.LegacyDec) error {
	if w.IsNil() || w.IsNegative() || w.GT(sdkmath.LegacyOneDec()) {
		return fmt.Errorf("%s must be in [0, 1], got %s", name, w)
	}
	return nil
}
