package types

import (
	"time"

	sdkmath "cosmossdk.io/math"
)

// Settlement is lazy and exact. A deal's cost is a linear function of time
// since its start — monthly_cost × seconds / SecondsPerMonth, floored — and
// the deal stores cumulative amounts (deposited, accrued, refunded,
// withdrawn). Settling at time t raises `accrued` to the cost up to t, but
// never beyond what was deposited and not refunded. Because every amount is
// cumulative and floors are taken on cumulative values, rounding never
// drifts, however often or seldom a deal is settled.

// MonthlyCost is price × capacity.
func MonthlyCost(pricePerGBMonth sdkmath.Int, capacityGB uint64) sdkmath.Int {
	return pricePerGBMonth.Mul(sdkmath.NewIntFromUint64(capacityGB))
}

// CostOver returns the cost of `seconds` of service at monthlyCost.
func CostOver(monthlyCost sdkmath.Int, seconds int64) sdkmath.Int {
	if seconds <= 0 {
		return sdkmath.ZeroInt()
	}
	return monthlyCost.Mul(sdkmath.NewInt(seconds)).QuoRaw(SecondsPerMonth)
}

// TermSeconds is a duration in whole seconds.
func TermSeconds(d time.Duration) int64 { return int64(d / time.Second) }

// Escrow is what the deal holds for future payments.
func (d Deal) Escrow() sdkmath.Int { return d.StorageFunds().Sub(d.Accrued) }

// StorageFunds is what the deal can ever pay for storage: its deposits, less
// refunds and what usage receipts charged for egress.
func (d Deal) StorageFunds() sdkmath.Int {
	return d.Deposited.Sub(d.Refunded).Sub(orZero(d.EgressCharged))
}

// Earnings is what the provider has earned, for storage and egress, and not
// withdrawn yet (SLA refunds take back from it first).
func (d Deal) Earnings() sdkmath.Int {
	return d.Accrued.Add(orZero(d.EgressCharged)).Sub(d.Withdrawn).Sub(orZero(d.ClawedBack))
}

// Held is what the module account holds for this deal: escrow plus
// unwithdrawn earnings.
func (d Deal) Held() sdkmath.Int {
	return d.Deposited.Sub(d.Refunded).Sub(d.Withdrawn).Sub(orZero(d.ClawedBack))
}

// PaidUntil is what the deal has paid for its service up to t: its cost up
// to t, bounded by its funds.
func (d Deal) PaidUntil(t time.Time) sdkmath.Int {
	return sdkmath.MinInt(d.CostUntil(t), d.StorageFunds())
}

func orZero(i sdkmath.Int) sdkmath.Int {
	if i.IsNil() {
		return sdkmath.ZeroInt()
	}
	return i
}

// Running reports whether the deal accrues (accepted and not closed).
func (d Deal) Running() bool {
	return d.State == DEAL_STATE_ACTIVE || d.State == DEAL_STATE_OVERDRAWN
}

// CostUntil is the cumulative cost from the start to t, capped at end_time.
func (d Deal) CostUntil(t time.Time) sdkmath.Int {
	if d.StartTime == nil {
		return sdkmath.ZeroInt()
	}
	if d.EndTime != nil && t.After(*d.EndTime) {
		t = *d.EndTime
	}
	return CostOver(d.MonthlyCost, t.Unix()-d.StartTime.Unix())
}

// Settle accrues the deal up to t, bounded by its funds, and returns the
// amount accrued by this call. It only moves `accrued` and `settled_at`.
func (d *Deal) Settle(t time.Time) sdkmath.Int {
	if !d.Running() {
		return sdkmath.ZeroInt()
	}
	target := d.CostUntil(t)
	if funds := d.StorageFunds(); target.GT(funds) {
		target = funds
	}
	pay := target.Sub(d.Accrued)
	if !pay.IsPositive() {
		pay = sdkmath.ZeroInt()
	} else {
		d.Accrued = target
	}
	if d.SettledAt == nil || t.After(*d.SettledAt) {
		settled := t
		d.SettledAt = &settled
	}
	return pay
}

// PaidThrough returns the first second at which the deal's cost reaches its
// funds: the escrow runs dry then. ok is false when the funds cover the
// whole term (or the deal has not started).
func (d Deal) PaidThrough() (t time.Time, ok bool) {
	if d.StartTime == nil || !d.MonthlyCost.IsPositive() {
		return time.Time{}, false
	}
	funds := d.StorageFunds()
	if d.EndTime != nil && d.CostUntil(*d.EndTime).LTE(funds) {
		return time.Time{}, false
	}
	// Smallest s with monthly × s / M ≥ funds  ⇔  s = ceil(funds × M / monthly).
	num := funds.MulRaw(SecondsPerMonth)
	secs := num.Quo(d.MonthlyCost)
	if !num.Mod(d.MonthlyCost).IsZero() {
		secs = secs.AddRaw(1)
	}
	if !secs.IsInt64() {
		return time.Time{}, false
	}
	return time.Unix(d.StartTime.Unix()+secs.Int64(), 0).UTC(), true
}

// PlatformFee returns the fee owed on withdrawing `gross` more, given what
// was withdrawn and paid in fees before. The fee is computed on the
// cumulative amount withdrawn, so splitting a withdrawal never lowers it.
func PlatformFee(rate sdkmath.LegacyDec, withdrawnBefore, feesBefore, gross sdkmath.Int) sdkmath.Int {
	due := rate.MulInt(withdrawnBefore.Add(gross)).TruncateInt()
	fee := due.Sub(feesBefore)
	if fee.IsNegative() {
		return sdkmath.ZeroInt()
	}
	if fee.GT(gross) {
		return gross
	}
	return fee
}
