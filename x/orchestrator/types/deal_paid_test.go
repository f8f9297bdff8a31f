package types_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// NetPaid: accrual settled to t (bounded by the funds, final once closed),
// less SLA refunds and the early-close penalty, never negative.
func TestDealNetPaid(t *testing.T) {
	start := time.Unix(1_700_000_000, 0).UTC()
	end := start.Add(10 * time.Hour)
	// 2,592,000 uflash a 30-day month: 1 uflash a second.
	base := func() types.Deal {
		return types.Deal{
			State: types.DEAL_STATE_ACTIVE, StartTime: &start, EndTime: &end, SettledAt: &start,
			MonthlyCost: sdkmath.NewInt(types.SecondsPerMonth), Deposited: sdkmath.NewInt(36_000),
			Accrued: sdkmath.ZeroInt(), Refunded: sdkmath.ZeroInt(), SlaRefunded: sdkmath.ZeroInt(), PenaltyPaid: sdkmath.ZeroInt(),
		}
	}
	at := func(d time.Duration) time.Time { return start.Add(d) }
	for _, tc := range []struct {
		name string
		edit func(*types.Deal)
		t    time.Time
		want int64
	}{
		{"running: settled to t without a touch", nil, at(time.Hour), 3_600},
		{"running: never below what was settled", func(d *types.Deal) { d.Accrued = sdkmath.NewInt(4_000) }, at(time.Hour), 4_000},
		{"running: bounded by the funds", func(d *types.Deal) { d.Deposited = sdkmath.NewInt(1_000) }, at(time.Hour), 1_000},
		{"running: bounded by the end time", nil, at(20 * time.Hour), 36_000},
		{"net of SLA refunds", func(d *types.Deal) { d.SlaRefunded = sdkmath.NewInt(600) }, at(time.Hour), 3_000},
		{"net of the early-close penalty", func(d *types.Deal) { d.PenaltyPaid = sdkmath.NewInt(100) }, at(time.Hour), 3_500},
		{"never negative", func(d *types.Deal) { d.SlaRefunded = sdkmath.NewInt(10_000) }, at(time.Hour), 0},
		{"closed: accrual is final", func(d *types.Deal) {
			d.State, d.Accrued = types.DEAL_STATE_CLOSED, sdkmath.NewInt(1_234)
		}, at(5 * time.Hour), 1_234},
		{"pending: nothing paid", func(d *types.Deal) { d.State, d.StartTime = types.DEAL_STATE_PENDING, nil }, at(time.Hour), 0},
		{"nil amounts read as zero", func(d *types.Deal) { d.SlaRefunded, d.PenaltyPaid = sdkmath.Int{}, sdkmath.Int{} }, at(time.Second), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := base()
			if tc.edit != nil {
				tc.edit(&d)
			}
			got := d.NetPaid(tc.t)
			require.Equal(t, tc.want, got.Int64())
			// It agrees with settling for real.
			settled := d
			settled.Settle(tc.t)
			want := sdkmath.MaxInt(sdkmath.ZeroInt(), orZero(settled.Accrued).Sub(orZero(d.SlaRefunded)).Sub(orZero(d.PenaltyPaid)))
			require.Equal(t, want.Int64(), got.Int64(), "NetPaid is what Settle(t) would leave paid")
		})
	}
}

func orZero(i sdkmath.Int) sdkmath.Int {
	if i.IsNil() {
		return sdkmath.ZeroInt()
	}
	return i
}
