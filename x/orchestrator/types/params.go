package types

import (
	"fmt"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultDenom is the base denom of FLASH.
const DefaultDenom = "uflash"

// Defaults, from the reference documents where they give a number.
var (
	// DefaultMinProviderBond is 1,000 FLASH (docs: staking collateral).
	DefaultMinProviderBond = sdk.NewCoin(DefaultDenom, sdkmath.NewInt(1_000_000_000))
	// DefaultProviderUnbondingPeriod is 30 days (docs).
	DefaultProviderUnbondingPeriod = 30 * 24 * time.Hour
	// DefaultPlatformFeeRate is 0.5 % (docs: platform fee when paid in FLASH).
	DefaultPlatformFeeRate = sdkmath.LegacyNewDecWithPrec(5, 3)
	// DefaultUnitSubmissionFee is 1 FLASH per data unit submitted. The docs name the
	// fee but leave its amount to the chain.
	DefaultUnitSubmissionFee = sdk.NewCoin(DefaultDenom, sdkmath.NewInt(1_000_000))
)

// DefaultParams returns the default module parameters.
func DefaultParams() Params {
	return Params{
		MinProviderBond:         DefaultMinProviderBond,
		ProviderUnbondingPeriod: DefaultProviderUnbondingPeriod,
		PlatformFeeRate:         DefaultPlatformFeeRate,
		UnitSubmissionFee:       DefaultUnitSubmissionFee,
		Certifier:               "",
	}
}

// Validate checks every parameter; it is called on genesis and on every
// MsgUpdateParams.
func (p Params) Validate() error {
	if err := validatePositiveCoin("min_provider_bond", p.MinProviderBond); err != nil {
		return err
	}
	if p.ProviderUnbondingPeriod <= 0 {
		return fmt.Errorf("provider_unbonding_period must be positive, got %s", p.ProviderUnbondingPeriod)
	}
	if p.PlatformFeeRate.IsNil() || p.PlatformFeeRate.IsNegative() || p.PlatformFeeRate.GTE(sdkmath.LegacyOneDec()) {
		return fmt.Errorf("platform_fee_rate must be in [0, 1), got %s", p.PlatformFeeRate)
	}
	if err := p.UnitSubmissionFee.Validate(); err != nil {
		return fmt.Errorf("unit_submission_fee: %w", err)
	}
	if p.UnitSubmissionFee.Denom != p.MinProviderBond.Denom {
		return fmt.Errorf("unit_submission_fee denom %q must be the marketplace denom %q",
			p.UnitSubmissionFee.Denom, p.MinProviderBond.Denom)
	}
	if p.Certifier != "" {
		if _, err := sdk.AccAddressFromBech32(p.Certifier); err != nil {
			return fmt.Errorf("certifier must be empty or a valid address: %w", err)
		}
	}
	return nil
}

// Denom is the denom of every marketplace amount: bonds, fees and payments.
func (p Params) Denom() string { return p.MinProviderBond.Denom }

func validatePositiveCoin(name string, c sdk.Coin) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !c.IsPositive() {
		return fmt.Errorf("%s must be positive, got %s", name, c)
	}
	return nil
}
