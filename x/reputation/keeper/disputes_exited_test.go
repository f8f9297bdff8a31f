package keeper_test

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// A verdict dispute upheld after the provider has exited cannot credit a
// bond that no longer exists (it used to fail with "provider not found", so
// the dispute could never be upheld): the pool pays the provider's account
// instead. The clawed-back earnings go back into the deal as usual, the
// provider withdraws them, and no coin is created or lost.
func TestUpheldDisputePaysAnExitedProviderToItsAccount(t *testing.T) {
	s := newSuite(t, options{orchestrator: func(p *orchtypes.Params) {
		p.ProviderUnbondingPeriod, p.ConsumerCloseNotice = time.Hour, time.Hour
	}})
	unitID, dealID := s.market()
	s.fundPool(1_000 * flash)
	epoch := s.criticalEpoch(unitID)
	id := s.fileVerdictDispute(s.provider, unitID, epoch)

	// The consumer leaves, the provider takes its unit down and exits.
	_, err := s.orch.CloseDeal(s.ctx(), &orchtypes.MsgCloseDeal{Sender: s.consumer.String(), DealId: dealID})
	require.NoError(t, err)
	s.block(time.Hour)
	s.block(time.Hour)
	require.Equal(t, orchtypes.DEAL_STATE_CLOSED, s.deal(dealID).State)
	_, err = s.orch.DecommissionDataUnit(s.ctx(), &orchtypes.MsgDecommissionDataUnit{Provider: s.provider.String(), UnitId: unitID})
	require.NoError(t, err)
	_, err = s.orch.BeginProviderExit(s.ctx(), &orchtypes.MsgBeginProviderExit{Owner: s.provider.String()})
	require.NoError(t, err)
	s.block(time.Hour)
	s.block(time.Hour)
	_, registered, err := s.app.OrchestratorKeeper.ProviderBond(s.ctx(), s.provider.String())
	require.NoError(t, err)
	require.False(t, registered, "the provider has exited")

	account, pool, supply := s.balance(s.provider), s.pool(), s.supply()
	earnings := s.deal(dealID).Earnings()
	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	_, err = s.msgs.ResolveDispute(ctx, &types.MsgResolveDispute{Authority: s.arbiter.String(), DisputeId: id, Upheld: true, Resolution: "re-checked"})
	require.NoError(t, err)

	d := s.dispute(id)
	require.Equal(t, types.DISPUTE_STATUS_UPHELD, d.Status)
	require.Equal(t, int64(100_000_980), d.Restitution.Int64())
	require.True(t, d.Shortfall.IsZero())
	require.Equal(t, account.AddRaw(100_000_000), s.balance(s.provider), "the slash went to the provider's account")
	require.Equal(t, earnings.AddRaw(980), s.deal(dealID).Earnings(), "the clawed-back earnings are back in the deal")
	require.Equal(t, pool.SubRaw(100_000_980), s.pool(), "the pool paid both")
	require.Equal(t, supply, s.supply(), "no coin minted or burned")
	var paid []*types.EventRestitutionPaid
	for _, e := range ctx.EventManager().Events() {
		if msg, err := sdk.ParseTypedEvent(abciEvent(e)); err == nil {
			if ev, ok := msg.(*types.EventRestitutionPaid); ok {
				paid = append(paid, ev)
			}
		}
	}
	require.Equal(t, []*types.EventRestitutionPaid{{DisputeId: id, Provider: s.provider.String(), Amount: uflash(100_000_000), To: "account"}}, paid)
	s.app.CheckInvariants(t)

	_, err = s.orch.WithdrawEarnings(s.ctx(), &orchtypes.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID}})
	require.NoError(t, err, "an exited provider withdraws its restored earnings")
	s.block(time.Hour)
}

// While the provider is registered, restitution still goes into its bond,
// and says so.
func TestUpheldDisputeRestoresTheBondOfARegisteredProvider(t *testing.T) {
	s := newSuite(t)
	unitID, _ := s.market()
	s.fundPool(1_000 * flash)
	epoch := s.criticalEpoch(unitID)
	id := s.fileVerdictDispute(s.provider, unitID, epoch)
	account := s.balance(s.provider)
	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	_, err := s.msgs.ResolveDispute(ctx, &types.MsgResolveDispute{Authority: s.arbiter.String(), DisputeId: id, Upheld: true})
	require.NoError(t, err)
	require.Equal(t, int64(bond), s.bondOf(s.provider).Int64())
	require.Equal(t, account, s.balance(s.provider))
	found := false
	for _, e := range ctx.EventManager().Events() {
		if msg, err := sdk.ParseTypedEvent(abciEvent(e)); err == nil {
			if ev, ok := msg.(*types.EventRestitutionPaid); ok {
				require.Equal(t, "bond", ev.To)
				require.Equal(t, uflash(100_000_000), ev.Amount)
				found = true
			}
		}
	}
	require.True(t, found)
}

// abciEvent converts an SDK event for sdk.ParseTypedEvent.
func abciEvent(e sdk.Event) abci.Event { return abci.Event(e) }
