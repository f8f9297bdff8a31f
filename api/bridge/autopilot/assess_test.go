package autopilot

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/client"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestAssess: what a deal needs, by the documented conditions.
func TestAssess(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	m := Margins{Renew: time.Hour, TopUp: 2 * time.Hour, TopUpPeriod: 10 * time.Hour}
	price := sdkmath.NewInt(2_592_000) // 1 uflash per GB-second
	deal := func(end time.Duration, deposited int64) *orchestratortypes.QueryDealResponse {
		e := now.Add(end)
		return &orchestratortypes.QueryDealResponse{Deal: orchestratortypes.Deal{
			Id: 7, UnitId: 3, CapacityGb: 1, Term: 100 * time.Hour, PricePerGbMonth: price, State: orchestratortypes.DEAL_STATE_ACTIVE,
			EndTime: &e, Deposited: sdkmath.NewInt(deposited), Refunded: sdkmath.ZeroInt(), Accrued: sdkmath.ZeroInt(), EgressCharged: sdkmath.ZeroInt(),
		}}
	}
	none := orchestratortypes.UnitVerdict{UnitId: 3}
	full := client.TermCost(price, 1, 100*time.Hour).Int64()

	need, _, _ := Assess(deal(50*time.Hour, full), none, now, m)
	require.Equal(t, NeedNothing, need)

	need, why, _ := Assess(deal(50*time.Hour, full), orchestratortypes.UnitVerdict{UnitId: 3, Epoch: 9, Verdict: orchestratortypes.SLA_VERDICT_CRITICAL}, now, m)
	require.Equal(t, NeedReplace, need)
	require.Equal(t, "unit 3's last SLA verdict (epoch 9) is CRITICAL", why)
	need, _, _ = Assess(deal(50*time.Hour, full), orchestratortypes.UnitVerdict{UnitId: 3, Verdict: orchestratortypes.SLA_VERDICT_CRITICAL, Reversed: true}, now, m)
	require.Equal(t, NeedNothing, need, "a reversed verdict does not count")
	need, _, _ = Assess(deal(50*time.Hour, full), orchestratortypes.UnitVerdict{UnitId: 3, Verdict: orchestratortypes.SLA_VERDICT_MISSED}, now, m)
	require.Equal(t, NeedNothing, need)

	need, why, _ = Assess(deal(30*time.Minute, full), none, now, m)
	require.Equal(t, NeedReplace, need)
	require.Contains(t, why, "within the renew margin 1h0m0s")

	closed := deal(50*time.Hour, full)
	closed.Deal.State, closed.Deal.CloseReason = orchestratortypes.DEAL_STATE_CLOSED, orchestratortypes.CLOSE_REASON_SLA_TERMINATION
	need, why, _ = Assess(closed, none, now, m)
	require.Equal(t, NeedReplace, need)
	require.Contains(t, why, "is closed (CLOSE_REASON_SLA_TERMINATION)")

	// Escrow running dry within the margin: 10 h more, capped by the term.
	low := deal(50*time.Hour, 3600)
	dry := now.Add(time.Hour)
	low.Escrow.RunsDryAt = &dry
	need, why, amount := Assess(low, none, now, m)
	require.Equal(t, NeedTopUp, need)
	require.Contains(t, why, "runs dry at 2026-12-02T11:00:00Z")
	require.Equal(t, int64(36_000), amount.Int64())
	low.Deal.Deposited = sdkmath.NewInt(full - 100)
	_, _, amount = Assess(low, none, now, m)
	require.Equal(t, int64(100), amount.Int64(), "never more than the rest of the term's cost")
	far := now.Add(3 * time.Hour)
	low.Escrow.RunsDryAt = &far
	need, _, _ = Assess(low, none, now, m)
	require.Equal(t, NeedNothing, need)
	over := deal(50*time.Hour, 3600)
	over.Deal.State = orchestratortypes.DEAL_STATE_OVERDRAWN
	need, why, _ = Assess(over, none, now, m)
	require.Equal(t, NeedTopUp, need)
	require.Equal(t, "deal 7 is OVERDRAWN", why)
}
