package types

import (
	"time"

	sdkmath "cosmossdk.io/math"
)

// NetPaid is what the deal has paid its provider up to t (storage and
// egress), net of what went
// back to the consumer: x/reputation weighs the consumer's rating of the
// deal by it, and refuses a rating below its minimum.
//
//   - Accrual is taken as settled to t — exactly what Settle(t) would
//     accrue, bounded by the funds, computed without writing — so a consumer
//     need not wait for some other message to touch the deal. A closed
//     deal's accrual is final.
//   - SLA refunds (sla_refunded: clawed back or paid from the bond) and the
//     provider's early-close penalty (penalty_paid) went back to the
//     consumer, so they are taken off: money that came back paid for nothing.
//   - The platform fee is not: the consumer paid it like the rest.
//
// Never negative.
func (d Deal) NetPaid(t time.Time) sdkmath.Int {
	accrued := orZero(d.Accrued)
	if d.Running() {
		target := sdkmath.MinInt(d.CostUntil(t), orZero(d.Deposited).Sub(orZero(d.Refunded)).Sub(orZero(d.EgressCharged)))
		accrued = sdkmath.MaxInt(accrued, target)
	}
	net := accrued.Add(orZero(d.EgressCharged)).Sub(orZero(d.SlaRefunded)).Sub(orZero(d.PenaltyPaid))
	if net.IsNegative() {
		return sdkmath.ZeroInt()
	}
	return net
}
