package types

import (
	"fmt"

	sdkmath "cosmossdk.io/math"
)

// A rating weighs what its deal paid. Without this, a rating cost an
// accepted deal of any size — a one-GB, one-hour booking — so a provider
// could buy itself 5★ from a second address, and a competitor could 1★ an
// auto-accepting provider, for dust. With it, a cheap deal's rating is
// refused below min_rating_payment and, above it, counts in proportion to
// the payment next to well-paid ones; rating_payment_cap keeps a single
// large customer from outweighing everyone else.

// RatingWeight is a rating's weight: the verified weight for a verified
// consumer (1 otherwise) × min(paid, rating_payment_cap), paid in the market
// denom's base unit. Exact: paid is an integer and the verified weight a
// LegacyDec. The weight is stored with the rating, never recomputed, so the
// provider's community sums stay incremental (O(1) per rating, ageing or
// hiding) whatever the params become.
func (p Params) RatingWeight(verified bool, paid sdkmath.Int) sdkmath.LegacyDec {
	base := sdkmath.LegacyOneDec()
	if verified {
		base = p.VerifiedRatingWeight
	}
	return base.MulInt(sdkmath.MinInt(paid, p.RatingPaymentCap))
}

// CanRate reports whether a deal that paid `paid` may be rated.
func (p Params) CanRate(paid sdkmath.Int) bool {
	return !paid.IsNil() && paid.GTE(p.MinRatingPayment)
}

// validateRatingPayment: 1 ≤ min_rating_payment ≤ rating_payment_cap ≤
// 10^18. A minimum of at least 1 keeps every rating's weight positive, so the
// weighted average always has a positive denominator.
func (p Params) validateRatingPayment() error {
	if p.MinRatingPayment.IsNil() || !p.MinRatingPayment.IsPositive() {
		return fmt.Errorf("min_rating_payment must be at least 1, got %s", p.MinRatingPayment)
	}
	if p.RatingPaymentCap.IsNil() || p.RatingPaymentCap.LT(p.MinRatingPayment) || p.RatingPaymentCap.GT(MaxRatingPaymentCap) {
		return fmt.Errorf("rating_payment_cap must be in [min_rating_payment (%s), %s], got %s",
			p.MinRatingPayment, MaxRatingPaymentCap, p.RatingPaymentCap)
	}
	return nil
}

// ValidateRating checks a stored rating (genesis): 1–5 stars, a positive
// weight (it sits in its provider's sums), a non-negative payment, and the
// time it stops being recent, not before its own time (a recent visible
// rating must have one: it is its key in the ageing queue).
func ValidateRating(r Rating) error {
	if r.RecentUntil != 0 && r.RecentUntil < r.Time.Unix() {
		return fmt.Errorf("rating of deal %d stops being recent (%d) before it was made (%d)", r.DealId, r.RecentUntil, r.Time.Unix())
	}
	if r.Recent && !r.Hidden && r.RecentUntil == 0 {
		return fmt.Errorf("rating of deal %d is recent but has no recent_until", r.DealId)
	}
	if r.Stars < 1 || r.Stars > 5 {
		return fmt.Errorf("rating of deal %d has %d stars", r.DealId, r.Stars)
	}
	if r.Weight.IsNil() || !r.Weight.IsPositive() {
		return fmt.Errorf("rating of deal %d must have a positive weight, got %s", r.DealId, r.Weight)
	}
	if !r.Paid.IsNil() && r.Paid.IsNegative() {
		return fmt.Errorf("rating of deal %d has a negative payment %s", r.DealId, r.Paid)
	}
	return nil
}
