package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// UpholdVerdictDispute, the one call that carries out an upheld verdict
// dispute, pays the provider back what a CRITICAL verdict cost it, within
// the budget and bond first: the slash (and any refund taken from the bond)
// into the bond, then the refund clawed back from its earnings into the
// deal. It marks the verdict and the refunded deal verdict reversed, gives
// the unit the score it is handed, releases the verdict for pruning, and
// cannot run twice. The consumer keeps the refund.
func TestUpholdVerdictDisputeRestoresWithinBudget(t *testing.T) {
	for _, tc := range []struct {
		name      string
		shortPool bool // the budget covers the slash only
	}{
		{"budget covers everything", false},
		{"budget covers the bond part only", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSlaSuite(t, 50)
			unitID, dealID := s.slaMarket()
			s.qos.units[unitID] = qosCritical
			epoch := s.epoch()
			uv, dv := s.unitVerdict(unitID, epoch), s.dealVerdict(dealID, epoch)
			require.True(t, uv.Slashed.IsPositive())
			require.True(t, dv.Refund.IsPositive())
			clawed := dv.Refund.Sub(dv.RefundFromBond)
			toBond := uv.Slashed.Add(dv.RefundFromBond)
			owed := uv.Slashed.Add(dv.Refund)

			k := s.app.OrchestratorKeeper
			ctx := s.ctx()
			require.NoError(t, k.HoldVerdict(ctx, unitID, epoch))
			// The payer: a module account funded for the test (x/reputation's
			// pool books are not involved here).
			budget := owed
			if tc.shortPool {
				budget = toBond
			}
			require.NoError(t, s.app.BankKeeper.SendCoinsFromAccountToModule(ctx, s.stranger, reputationtypes.ModuleName,
				sdk.NewCoins(sdk.NewCoin(app.BondDenom, budget))))
			bond, dealClawed, consumer := s.bondOf(s.provider), s.deal(dealID).ClawedBack, s.balance(s.consumer)

			score := uint32(50)
			res, err := k.UpholdVerdictDispute(ctx, types.VerdictReversal{
				UnitId: unitID, Epoch: epoch, UnitScore: &score, FromModule: reputationtypes.ModuleName, Budget: budget,
			})
			require.NoError(t, err)
			require.Equal(t, s.provider.String(), res.Provider)
			require.Equal(t, owed, res.Owed)
			require.Equal(t, budget, res.Paid)
			require.Equal(t, toBond, res.ToBond)
			require.False(t, res.ToAccount, "a registered provider is paid into its bond")

			require.Equal(t, bond.Add(toBond), s.bondOf(s.provider))
			restored := clawed
			if tc.shortPool {
				restored = sdkmath.ZeroInt()
			}
			require.Equal(t, dealClawed.Sub(restored).String(), s.deal(dealID).ClawedBack.String(), "the clawed-back earnings return to the deal")
			require.Equal(t, consumer, s.balance(s.consumer), "the consumer keeps the refund")
			require.Equal(t, score, s.unit(unitID).Reputation)
			require.True(t, s.unitVerdict(unitID, epoch).Reversed)
			require.True(t, s.dealVerdict(dealID, epoch).Reversed)
			held, err := k.HeldVerdicts.Has(ctx, collections.Join(unitID, epoch))
			require.NoError(t, err)
			require.False(t, held, "released for pruning")

			_, err = k.UpholdVerdictDispute(ctx, types.VerdictReversal{UnitId: unitID, Epoch: epoch, FromModule: reputationtypes.ModuleName, Budget: budget})
			require.ErrorIs(t, err, types.ErrInvalidState, "a verdict is reversed once")
		})
	}
}
