package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationkeeper "github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// inDenom is p with every marketplace amount in denom.
func inDenom(p types.Params, denom string) types.Params {
	p.MinProviderBond.Denom, p.UnitSubmissionFee.Denom, p.MinPriorityFee.Denom = denom, denom, denom
	return p
}

func (s *suite) updateParams(p types.Params) error {
	_, err := s.msgs.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: s.gov, Params: p})
	return err
}

// Governance cannot move the market to another denom while bonds and
// escrows are held in the old one: they would be read in the new denom and
// could never be paid out. Once the money is gone, the change goes through.
func TestDenomChangeRefusedWhileBondsOrEscrowsAreHeld(t *testing.T) {
	s := newSuite(t, func(p *types.Params) { p.ProviderUnbondingPeriod = time.Hour })
	unitID := s.market()
	deal := s.requestDeal(dealMsg(s.consumer, unitID))

	var err error
	s.requireErrUnchanged(types.ErrDenomInUse, func() error { err = s.updateParams(inDenom(s.params(), "uatom")); return err })
	require.ErrorContains(t, err, "x/orchestrator holds 1002000000uflash")

	// Other changes are not affected.
	p := s.params()
	p.MaxDuePerBlock = 50
	require.NoError(t, s.updateParams(p))

	// The deal is cancelled and the provider leaves: nothing is held any more.
	_, err = s.msgs.CancelDealRequest(s.ctx(), &types.MsgCancelDealRequest{Consumer: s.consumer.String(), DealId: deal})
	require.NoError(t, err)
	_, err = s.msgs.DecommissionDataUnit(s.ctx(), &types.MsgDecommissionDataUnit{Provider: s.provider.String(), UnitId: unitID})
	require.NoError(t, err)
	_, err = s.msgs.BeginProviderExit(s.ctx(), &types.MsgBeginProviderExit{Owner: s.provider.String()})
	require.NoError(t, err)
	s.requireErrUnchanged(types.ErrDenomInUse, func() error { return s.updateParams(inDenom(s.params(), "uatom")) })
	s.advance(time.Hour + time.Second)
	require.True(t, s.balance(s.app.OrchestratorKeeper.ModuleAddress()).IsZero())

	require.NoError(t, s.updateParams(inDenom(s.params(), "uatom")))
	require.Equal(t, "uatom", s.params().Denom())
}

// The reward pool counts too: it is held in the market denom.
func TestDenomChangeRefusedWhileTheRewardPoolHoldsFunds(t *testing.T) {
	s := newSuite(t)
	_, err := reputationkeeper.NewMsgServerImpl(s.app.ReputationKeeper).FundRewardPool(s.ctx(),
		&reputationtypes.MsgFundRewardPool{Depositor: s.stranger.String(), Amount: uflash(5)})
	require.NoError(t, err)
	s.requireErrUnchanged(types.ErrDenomInUse, func() error {
		err = s.updateParams(inDenom(s.params(), "uatom"))
		return err
	})
	require.ErrorContains(t, err, "the reward pool holds 5uflash")
}
