package types

import (
	"fmt"
	"strings"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/address"
)

// DefaultDenom is the base denom of FLASH.
const DefaultDenom = "uflash"

const day = 24 * time.Hour

// Defaults, from the reference documents where they give a number; the
// others are choices recorded in the README.
var (
	// DefaultMinProviderBond is 1,000 FLASH (docs: staking collateral).
	DefaultMinProviderBond = sdk.NewCoin(DefaultDenom, sdkmath.NewInt(1_000_000_000))
	// DefaultProviderUnbondingPeriod is 30 days (docs).
	DefaultProviderUnbondingPeriod = 30 * day
	// DefaultPlatformFeeRate is 0.5 % (docs: platform fee when paid in FLASH).
	DefaultPlatformFeeRate = sdkmath.LegacyNewDecWithPrec(5, 3)
	// DefaultUnitSubmissionFee is 1 FLASH per data unit submitted.
	DefaultUnitSubmissionFee = sdk.NewCoin(DefaultDenom, sdkmath.NewInt(1_000_000))
	// DefaultMinPriorityFee is 0.01 FLASH (docs: a minimum of 0.01 USD).
	DefaultMinPriorityFee = sdk.NewCoin(DefaultDenom, sdkmath.NewInt(10_000))
	// DefaultProviderClosePenaltyRate is 10 % of the unbilled remainder.
	DefaultProviderClosePenaltyRate = sdkmath.LegacyNewDecWithPrec(1, 1)
	// DefaultCriticalSlashRate is 10 % of the bond (docs' example: "losing
	// 10% of their staked 500 FLASH"), half to the reward pool, half burned.
	DefaultCriticalSlashRate = sdkmath.LegacyNewDecWithPrec(1, 1)
	DefaultSlashPoolShare    = sdkmath.LegacyNewDecWithPrec(5, 1)
	// DefaultPlatformFeePoolShare sends half of the platform fees to the
	// reputation reward pool.
	DefaultPlatformFeePoolShare = sdkmath.LegacyNewDecWithPrec(5, 1)
)

// DefaultSlaEpochIdentifier is the x/epochs epoch of SLA checks (docs: daily).
const DefaultSlaEpochIdentifier = "day"

// DefaultCriticalDowntimePerDay: more than one hour of downtime in 24
// hours is a critical failure (docs).
const DefaultCriticalDowntimePerDay = time.Hour

// DefaultReferenceSla is the SLA the docs give as the standard providers
// must meet: 50 ms latency, 10 MB/s up and 20 MB/s down (80,000 and 160,000
// kbps), 99.95 % uptime and 0.01 % errors. A unit without a deal verdict in
// an epoch is graded against its offered SLA tightened to it (see README).
var DefaultReferenceSla = Sla{
	MaxLatencyMs: 50, MinUploadKbps: 80_000, MinDownloadKbps: 160_000, MinUptimeBps: 9_995, MaxErrorRateBps: 1,
}

// Due-item retries. A state machine does not fail by chance: a due item
// fails again until some state changes (another transaction, a governance
// change, a software upgrade). The first retries come quickly, to ride out a
// condition a transaction clears; the ten together (10 min × (2¹⁰ − 1) ≈ 7
// days) span a governance vote or an upgrade before the item is parked and
// reported as stuck.
const (
	DefaultDueRetryDelay = 10 * time.Minute
	DefaultMaxDueRetries = 10
	// MaxDueRetries bounds max_due_retries, and MaxDueRetryWait the longest
	// single wait, due_retry_delay × 2^(max_due_retries − 1), so that a failing
	// item is parked (and reported) within two months whatever the params.
	MaxDueRetries   = 20
	MaxDueRetryWait = 30 * day
)

// DefaultParams returns the default module parameters.
func DefaultParams() Params {
	return Params{
		MinProviderBond:          DefaultMinProviderBond,
		ProviderUnbondingPeriod:  DefaultProviderUnbondingPeriod,
		PlatformFeeRate:          DefaultPlatformFeeRate,
		UnitSubmissionFee:        DefaultUnitSubmissionFee,
		Certifier:                "",
		MinPriorityFee:           DefaultMinPriorityFee,
		MaxUnitsPerProvider:      1000,
		MinDealDuration:          time.Hour,
		MaxDealDuration:          5 * 365 * day,
		MinPrepaidPeriod:         30 * day,
		DealRequestTtl:           3 * day,
		OverdraftGracePeriod:     3 * day,
		ConsumerCloseNotice:      day,
		ProviderCloseNotice:      7 * day,
		ProviderClosePenaltyRate: DefaultProviderClosePenaltyRate,
		MaxMaintenanceDuration:   3 * day,
		MaxMaintenanceLead:       30 * day,
		MaxDuePerBlock:           200,
		SlaEpochIdentifier:       DefaultSlaEpochIdentifier,
		CriticalDowntimePerDay:   DefaultCriticalDowntimePerDay,
		ExceedMarginBps:          2000,
		CriticalSlashRate:        DefaultCriticalSlashRate,
		SlashPoolShare:           DefaultSlashPoolShare,
		CriticalTerminationCount: 3,
		MaxVerdictsPerBlock:      200,
		VerdictRetentionEpochs:   90,
		PlatformFeePoolShare:     DefaultPlatformFeePoolShare,
		ReferenceSla:             DefaultReferenceSla,
		DueRetryDelay:            DefaultDueRetryDelay,
		MaxDueRetries:            DefaultMaxDueRetries,
	}
}

// Validate checks every parameter; it is called on genesis and on every
// MsgUpdateParams.
func (p Params) Validate() error {
	if err := validatePositiveCoin("min_provider_bond", p.MinProviderBond); err != nil {
		return err
	}
	denom := p.MinProviderBond.Denom
	if err := validateRate("platform_fee_rate", p.PlatformFeeRate, false); err != nil {
		return err
	}
	if err := validateRate("provider_close_penalty_rate", p.ProviderClosePenaltyRate, true); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		coin sdk.Coin
	}{{"unit_submission_fee", p.UnitSubmissionFee}, {"min_priority_fee", p.MinPriorityFee}} {
		if err := c.coin.Validate(); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if c.coin.Denom != denom {
			return fmt.Errorf("%s denom %q must be the marketplace denom %q", c.name, c.coin.Denom, denom)
		}
	}
	if !p.MinPriorityFee.IsPositive() {
		return fmt.Errorf("min_priority_fee must be positive, got %s", p.MinPriorityFee)
	}
	if p.MinPriorityFee.Amount.GT(sdkmath.NewIntFromUint64(MaxPriorityFee)) {
		return fmt.Errorf("min_priority_fee must be at most %d%s", MaxPriorityFee, denom)
	}
	if p.Certifier != "" {
		if err := address.ValidateCanonical("certifier", p.Certifier); err != nil {
			return fmt.Errorf("certifier must be empty or a valid address: %w", err)
		}
	}
	if p.MaxUnitsPerProvider == 0 || p.MaxUnitsPerProvider > 100_000 {
		return fmt.Errorf("max_units_per_provider must be in [1, 100000], got %d", p.MaxUnitsPerProvider)
	}
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"provider_unbonding_period", p.ProviderUnbondingPeriod},
		{"min_deal_duration", p.MinDealDuration},
		{"max_deal_duration", p.MaxDealDuration},
		{"min_prepaid_period", p.MinPrepaidPeriod},
		{"deal_request_ttl", p.DealRequestTtl},
		{"overdraft_grace_period", p.OverdraftGracePeriod},
		{"consumer_close_notice", p.ConsumerCloseNotice},
		{"provider_close_notice", p.ProviderCloseNotice},
		{"max_maintenance_duration", p.MaxMaintenanceDuration},
		{"max_maintenance_lead", p.MaxMaintenanceLead},
	}
	for _, d := range durations {
		if d.d < time.Second {
			return fmt.Errorf("%s must be at least 1s, got %s", d.name, d.d)
		}
		if d.d > MaxParamDuration {
			return fmt.Errorf("%s must be at most %s, got %s", d.name, MaxParamDuration, d.d)
		}
	}
	if p.MinDealDuration > p.MaxDealDuration {
		return fmt.Errorf("min_deal_duration %s exceeds max_deal_duration %s", p.MinDealDuration, p.MaxDealDuration)
	}
	if p.MaxDuePerBlock == 0 || p.MaxDuePerBlock > 10_000 {
		return fmt.Errorf("max_due_per_block must be in [1, 10000], got %d", p.MaxDuePerBlock)
	}
	if err := p.validateDueRetries(); err != nil {
		return err
	}
	return p.validateSla()
}

// validateDueRetries checks the retry schedule of failed due items: whole
// seconds (the queue is keyed by the second), at least 1 s, at most
// MaxDueRetries retries, and a longest wait of at most MaxDueRetryWait.
func (p Params) validateDueRetries() error {
	if p.DueRetryDelay < time.Second || p.DueRetryDelay%time.Second != 0 {
		return fmt.Errorf("due_retry_delay must be a whole number of seconds, at least 1s, got %s", p.DueRetryDelay)
	}
	if p.MaxDueRetries > MaxDueRetries {
		return fmt.Errorf("max_due_retries must be at most %d, got %d", MaxDueRetries, p.MaxDueRetries)
	}
	if p.MaxDueRetries > 0 {
		// In seconds: delay × 2^19 overflows a time.Duration for delays over
		// about five hours, not an int64 of seconds.
		longest := int64(p.DueRetryDelay/time.Second) << (p.MaxDueRetries - 1)
		if limit := int64(MaxDueRetryWait / time.Second); p.DueRetryDelay > MaxDueRetryWait || longest > limit {
			return fmt.Errorf("the longest due retry wait, due_retry_delay × 2^(max_due_retries − 1) = %s × 2^%d, must be at most %s",
				p.DueRetryDelay, p.MaxDueRetries-1, MaxDueRetryWait)
		}
	}
	return nil
}

// DueRetryWait is how long a due item waits after its n-th failure in a row
// (n ≥ 1): due_retry_delay × 2^(n − 1). Validate bounds it by
// MaxDueRetryWait for every n ≤ max_due_retries.
func (p Params) DueRetryWait(n uint32) time.Duration {
	if n == 0 {
		n = 1
	}
	return p.DueRetryDelay << (n - 1)
}

func (p Params) validateSla() error {
	if strings.TrimSpace(p.SlaEpochIdentifier) == "" {
		return fmt.Errorf("sla_epoch_identifier must name an x/epochs epoch")
	}
	// A day's allowance of a day or more would make nothing critical.
	if p.CriticalDowntimePerDay <= 0 || p.CriticalDowntimePerDay >= day {
		return fmt.Errorf("critical_downtime_per_day must be in (0, 24h), got %s", p.CriticalDowntimePerDay)
	}
	if err := p.ReferenceSla.Validate(); err != nil {
		return fmt.Errorf("reference_sla: %w", err)
	}
	if p.ExceedMarginBps > 10_000 {
		return fmt.Errorf("exceed_margin_bps must be at most 10000, got %d", p.ExceedMarginBps)
	}
	for _, r := range []struct {
		name string
		v    sdkmath.LegacyDec
	}{{"critical_slash_rate", p.CriticalSlashRate}, {"slash_pool_share", p.SlashPoolShare}, {"platform_fee_pool_share", p.PlatformFeePoolShare}} {
		if err := validateRate(r.name, r.v, true); err != nil {
			return err
		}
	}
	if p.CriticalTerminationCount > 1000 {
		return fmt.Errorf("critical_termination_count must be at most 1000, got %d", p.CriticalTerminationCount)
	}
	if p.MaxVerdictsPerBlock == 0 || p.MaxVerdictsPerBlock > 10_000 {
		return fmt.Errorf("max_verdicts_per_block must be in [1, 10000], got %d", p.MaxVerdictsPerBlock)
	}
	if p.VerdictRetentionEpochs == 0 {
		return fmt.Errorf("verdict_retention_epochs must be at least 1")
	}
	return nil
}

// Denom is the denom of every marketplace amount: bonds, fees and payments.
func (p Params) Denom() string { return p.MinProviderBond.Denom }

// MaxParamDuration bounds every duration param (ten years).
const MaxParamDuration = 10 * 365 * day

func validatePositiveCoin(name string, c sdk.Coin) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !c.IsPositive() {
		return fmt.Errorf("%s must be positive, got %s", name, c)
	}
	return nil
}

// validateRate checks a rate in [0, 1), or [0, 1] when oneAllowed.
func validateRate(name string, r sdkmath.LegacyDec, oneAllowed bool) error {
	if r.IsNil() || r.IsNegative() || r.GT(sdkmath.LegacyOneDec()) || (!oneAllowed && r.Equal(sdkmath.LegacyOneDec())) {
		upper := ")"
		if oneAllowed {
			upper = "]"
		}
		return fmt.Errorf("%s must be in [0, 1%s, got %s", name, upper, r)
	}
	return nil
}
