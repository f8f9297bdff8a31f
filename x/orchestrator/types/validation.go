package types

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/address"
)

var (
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
	regionRe  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// validateAddress checks a bech32 account address field.
func validateAddress(field, addr string) error {
	return address.ValidateCanonical(field, addr)
}

// validateText checks a free-text field: valid UTF-8, no control
// characters, at most max bytes, and non-empty when required.
func validateText(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return errorsmod.Wrapf(ErrInvalidInput, "%s is required", field)
	}
	if len(s) > max {
		return errorsmod.Wrapf(ErrInvalidInput, "%s is %d bytes, the limit is %d", field, len(s), max)
	}
	if !utf8.ValidString(s) {
		return errorsmod.Wrapf(ErrInvalidInput, "%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7f {
			return errorsmod.Wrapf(ErrInvalidInput, "%s contains a control character", field)
		}
	}
	return nil
}

// validateCountry checks an ISO 3166-1 alpha-2 code; empty only when optional.
func validateCountry(field, c string, required bool) error {
	if c == "" && !required {
		return nil
	}
	if !countryRe.MatchString(c) {
		return errorsmod.Wrapf(ErrInvalidInput, "%s must be an ISO 3166-1 alpha-2 code such as \"FR\", got %q", field, c)
	}
	return nil
}

// ValidateRegion checks a region name such as "eu-west".
func ValidateRegion(r string) error {
	if len(r) == 0 || len(r) > MaxRegionLength || !regionRe.MatchString(r) {
		return errorsmod.Wrapf(ErrInvalidInput, "region must be 1-%d lowercase letters, digits and single dashes such as \"eu-west\", got %q", MaxRegionLength, r)
	}
	return nil
}

// validateURL checks an http(s) URL with a host; required or optional.
func validateURL(field, raw string, required bool) error {
	if raw == "" && !required {
		return nil
	}
	if len(raw) > MaxURLLength {
		return errorsmod.Wrapf(ErrInvalidInput, "%s is %d bytes, the limit is %d", field, len(raw), MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errorsmod.Wrapf(ErrInvalidInput, "%s %q is not a URL: %s", field, raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return errorsmod.Wrapf(ErrInvalidInput, "%s must use http or https, got %q", field, raw)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" || u.RawQuery != "" {
		return errorsmod.Wrapf(ErrInvalidInput, "%s must be a plain http(s) URL with a host and no credentials, query or fragment, got %q", field, raw)
	}
	return nil
}

// ValidateSla checks an SLA's basis-point fields and that it says something.
func (s Sla) Validate() error {
	if s.MinUptimeBps > 10_000 || s.MaxErrorRateBps > 10_000 {
		return errorsmod.Wrapf(ErrInvalidInput, "sla uptime and error rate are basis points in [0, 10000], got %d and %d", s.MinUptimeBps, s.MaxErrorRateBps)
	}
	if s.MaxLatencyMs == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "sla max_latency_ms must be positive")
	}
	const maxKbps = 1 << 40 // 1 Pbit/s: beyond any real link
	if s.MinUploadKbps > maxKbps || s.MinDownloadKbps > maxKbps {
		return errorsmod.Wrapf(ErrInvalidInput, "sla throughput must be at most %d kbps", uint64(maxKbps))
	}
	return nil
}

// validateCoin checks an amount in the marketplace denom: valid, in denom,
// and positive unless zero is allowed.
func validateCoin(field string, c sdk.Coin, allowZero bool) error {
	// An optional amount left out arrives as a coin with no denom and a nil
	// or zero amount (proto JSON, CLI): that is "none".
	if allowZero && c.Denom == "" && (c.Amount.IsNil() || c.Amount.IsZero()) {
		return nil
	}
	if err := c.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidAmount, "%s: %s", field, err)
	}
	if !allowZero && !c.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidAmount, "%s must be positive, got %s", field, c)
	}
	return nil
}

// validatePrice checks a price per GB-month in uflash.
func validatePrice(p sdkmath.Int) error {
	if p.IsNil() || !p.IsPositive() {
		return errorsmod.Wrap(ErrInvalidAmount, "price_per_gb_month must be positive")
	}
	if p.GT(sdkmath.NewIntFromUint64(MaxPricePerGBMonth)) {
		return errorsmod.Wrapf(ErrAmountTooLarge, "price_per_gb_month must be at most %d", MaxPricePerGBMonth)
	}
	return nil
}

func validateCapacity(field string, gb uint64) error {
	if gb == 0 {
		return errorsmod.Wrapf(ErrInvalidInput, "%s must be positive", field)
	}
	if gb > MaxCapacityGB {
		return errorsmod.Wrapf(ErrAmountTooLarge, "%s must be at most %d GB, got %d", field, MaxCapacityGB, gb)
	}
	return nil
}

// CoinAmountIn returns c's amount, or an error when c is not in denom. A
// zero-value coin counts as zero.
func CoinAmountIn(field string, c sdk.Coin, denom string) (sdkmath.Int, error) {
	if c.Amount.IsNil() || c.Amount.IsZero() {
		return sdkmath.ZeroInt(), nil
	}
	if c.Denom != denom {
		return sdkmath.Int{}, errorsmod.Wrapf(ErrInvalidAmount, "%s must be in %s, got %s", field, denom, c.Denom)
	}
	return c.Amount, nil
}
