package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govkeeper "github.com/cosmos/cosmos-sdk/x/gov/keeper"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	v1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"
	"github.com/cosmos/cosmos-sdk/x/gov/types/v1beta1"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
)

// TestLegacyTextProposalIsAccepted: a v1beta1 text proposal, as wallets
// still submit it (MsgExecLegacyContent inside MsgSubmitProposal), is
// accepted. The app had no legacy router: the gov keeper dereferenced nil
// and panicked on it (recovered as ErrPanic, so no text proposal could
// ever be submitted). Found by the simulation's gov operations.
func TestLegacyTextProposalIsAccepted(t *testing.T) {
	proposer := sdk.AccAddress(secp256k1.GenPrivKey().PubKey().Address())
	a := apptest.Setup(t, apptest.Options{
		Accounts: []sdk.AccAddress{proposer},
		Balance:  sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(100_000_000_000))),
	})
	govAddr := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	content, err := v1.NewLegacyContent(v1beta1.NewTextProposal("signal", "a text proposal"), govAddr)
	require.NoError(t, err)
	msg, err := v1.NewMsgSubmitProposal([]sdk.Msg{content},
		sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(100_000_000))), proposer.String(), "", "signal", "a text proposal", false)
	require.NoError(t, err)

	ctx := a.Ctx()
	res, err := govkeeper.NewMsgServerImpl(&a.GovKeeper).SubmitProposal(ctx, msg)
	require.NoError(t, err)
	proposal, err := a.GovKeeper.Proposals.Get(ctx, res.ProposalId)
	require.NoError(t, err)
	require.Equal(t, "signal", proposal.Title)
}
