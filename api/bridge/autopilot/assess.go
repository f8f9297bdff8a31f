package autopilot

import (
	"fmt"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/client"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Need is what a deal needs from the autopilot.
type Need int

const (
	NeedNothing Need = iota
	NeedTopUp
	NeedReplace
)

// Margins are bridge.toml's autopilot margins.
type Margins struct {
	Renew, TopUp, TopUpPeriod time.Duration
}

// Assess decides what a repository's deal needs at now, from the deal (with
// its escrow as the chain projects it) and its unit's last SLA verdict:
//
//   - replace: the deal is closed or being closed; its unit's last verdict
//     is CRITICAL (not reversed); or it ends within the renew margin;
//   - top up: its escrow runs dry (or has, OVERDRAWN) within the top-up
//     margin, before its end. The amount buys TopUpPeriod more, never
//     more than the rest of the term's cost (the chain's cap).
func Assess(res *orchestratortypes.QueryDealResponse, v orchestratortypes.UnitVerdict, now time.Time, m Margins) (Need, string, sdkmath.Int) {
	d := res.Deal
	zero := sdkmath.ZeroInt()
	switch {
	case d.State == orchestratortypes.DEAL_STATE_CLOSED:
		return NeedReplace, fmt.Sprintf("deal %d is closed (%s)", d.Id, d.CloseReason), zero
	case d.PendingClose != orchestratortypes.CLOSE_REASON_UNSPECIFIED:
		return NeedReplace, fmt.Sprintf("deal %d is being closed (%s)", d.Id, d.PendingClose), zero
	case v.Verdict == orchestratortypes.SLA_VERDICT_CRITICAL && !v.Reversed:
		return NeedReplace, fmt.Sprintf("unit %d's last SLA verdict (epoch %d) is CRITICAL", v.UnitId, v.Epoch), zero
	case d.EndTime != nil && d.EndTime.Sub(now) <= m.Renew:
		return NeedReplace, fmt.Sprintf("deal %d ends at %s, within the renew margin %s", d.Id, d.EndTime.UTC().Format(time.RFC3339), m.Renew), zero
	}
	dry := res.Escrow.RunsDryAt
	overdrawn := d.State == orchestratortypes.DEAL_STATE_OVERDRAWN
	if !overdrawn && (dry == nil || dry.Sub(now) > m.TopUp) {
		return NeedNothing, "", zero
	}
	room := client.TermCost(d.PricePerGbMonth, d.CapacityGb, d.Term).Sub(d.StorageFunds())
	amount := client.TermCost(d.PricePerGbMonth, d.CapacityGb, m.TopUpPeriod)
	if room.LT(amount) {
		amount = room
	}
	if !amount.IsPositive() {
		return NeedNothing, "", zero
	}
	why := fmt.Sprintf("deal %d is OVERDRAWN", d.Id)
	if !overdrawn {
		why = fmt.Sprintf("deal %d's escrow runs dry at %s, within the top-up margin %s", d.Id, dry.UTC().Format(time.RFC3339), m.TopUp)
	}
	return NeedTopUp, why, amount
}
