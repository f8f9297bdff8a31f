package app_test

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// TestNetwork runs a real in-process CometBFT network and checks the
// foundation end to end: blocks, a signed bank send of uflash, every custom
// module's params over gRPC and REST, and params changes through governance.
func TestNetwork(t *testing.T) {
	net := network.New(t, network.DefaultConfig(t))
	val := net.Validators[0]
	_, err := net.WaitForHeight(3)
	require.NoError(t, err)

	conn, err := grpc.NewClient(val.AppConfig.GRPC.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	ctx := context.Background()

	// A second account in the validator's keyring.
	record, _, err := val.ClientCtx.Keyring.NewMnemonic("alice", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	alice, err := record.GetAddress()
	require.NoError(t, err)
	require.Contains(t, alice.String(), "flash1", "accounts use the flash prefix")

	t.Run("signed bank send of uflash", func(t *testing.T) {
		amount := sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5_000_000_000))
		res := network.BroadcastTx(t, net, val, val.Moniker, banktypes.NewMsgSend(val.Address, alice, amount))
		require.Zero(t, res.Code, res.RawLog)

		bal, err := banktypes.NewQueryClient(conn).Balance(ctx, &banktypes.QueryBalanceRequest{Address: alice.String(), Denom: app.BondDenom})
		require.NoError(t, err)
		require.Equal(t, amount[0], *bal.Balance)
	})

	t.Run("params over gRPC and REST", func(t *testing.T) {
		orch, err := orchestratortypes.NewQueryClient(conn).Params(ctx, &orchestratortypes.QueryParamsRequest{})
		require.NoError(t, err)
		require.Equal(t, orchestratortypes.DefaultParams(), orch.Params)
		rep, err := reputationtypes.NewQueryClient(conn).Params(ctx, &reputationtypes.QueryParamsRequest{})
		require.NoError(t, err)
		require.Equal(t, reputationtypes.DefaultParams(), rep.Params)
		orc, err := oracletypes.NewQueryClient(conn).Params(ctx, &oracletypes.QueryParamsRequest{})
		require.NoError(t, err)
		require.Equal(t, oracletypes.DefaultParams(), orc.Params)

		var restOrch orchestratortypes.QueryParamsResponse
		getREST(t, val, "/flashback/orchestrator/v1/params", &restOrch)
		require.Equal(t, orch.Params, restOrch.Params)
		var restRep reputationtypes.QueryParamsResponse
		getREST(t, val, "/flashback/reputation/v1/params", &restRep)
		require.Equal(t, rep.Params, restRep.Params)
		var restOrc oracletypes.QueryParamsResponse
		getREST(t, val, "/flashback/oracle/v1/params", &restOrc)
		require.Equal(t, orc.Params, restOrc.Params)
	})

	govAuthority := authtypes.NewModuleAddress("gov").String()

	t.Run("params update from anyone but governance is refused", func(t *testing.T) {
		params := orchestratortypes.DefaultParams()
		params.PlatformFeeRate = sdkmath.LegacyNewDecWithPrec(1, 2)
		res := network.BroadcastTx(t, net, val, "alice", &orchestratortypes.MsgUpdateParams{Authority: alice.String(), Params: params})
		require.Equal(t, orchestratortypes.ErrUnauthorized.ABCICode(), res.Code)
		require.Equal(t, orchestratortypes.ModuleName, res.Codespace)
		require.Contains(t, res.RawLog, "only the governance authority")

		got, err := orchestratortypes.NewQueryClient(conn).Params(ctx, &orchestratortypes.QueryParamsRequest{})
		require.NoError(t, err)
		require.Equal(t, orchestratortypes.DefaultParams(), got.Params)
	})

	t.Run("invalid params are refused at proposal submission", func(t *testing.T) {
		bad := reputationtypes.DefaultParams()
		bad.CommunityWeight = sdkmath.LegacyNewDecWithPrec(5, 1) // 0.7 + 0.5 ≠ 1
		res := submitProposal(t, net, val, &reputationtypes.MsgUpdateParams{Authority: govAuthority, Params: bad})
		require.NotZero(t, res.Code)
		require.Contains(t, res.RawLog, "must equal 1")
	})

	t.Run("governance updates the params of all three modules", func(t *testing.T) {
		orch := orchestratortypes.DefaultParams()
		orch.PlatformFeeRate = sdkmath.LegacyNewDecWithPrec(1, 2)
		rep := reputationtypes.DefaultParams()
		rep.MinPublicRatings = 5
		orc := oracletypes.DefaultParams()
		orc.WindowBlocks = 20

		res := submitProposal(t, net, val,
			&orchestratortypes.MsgUpdateParams{Authority: govAuthority, Params: orch},
			&reputationtypes.MsgUpdateParams{Authority: govAuthority, Params: rep},
			&oracletypes.MsgUpdateParams{Authority: govAuthority, Params: orc},
		)
		require.Zero(t, res.Code, res.RawLog)
		proposalID := proposalIDFrom(t, res)

		vote := network.BroadcastTx(t, net, val, val.Moniker, govv1.NewMsgVote(val.Address, proposalID, govv1.OptionYes, ""))
		require.Zero(t, vote.Code, vote.RawLog)

		govQuery := govv1.NewQueryClient(conn)
		require.Eventually(t, func() bool {
			p, err := govQuery.Proposal(ctx, &govv1.QueryProposalRequest{ProposalId: proposalID})
			return err == nil && p.Proposal.Status == govv1.StatusPassed
		}, 3*network.VotingPeriod, 500*time.Millisecond, "proposal did not pass")

		gotOrch, err := orchestratortypes.NewQueryClient(conn).Params(ctx, &orchestratortypes.QueryParamsRequest{})
		require.NoError(t, err)
		require.Equal(t, orch, gotOrch.Params)
		gotRep, err := reputationtypes.NewQueryClient(conn).Params(ctx, &reputationtypes.QueryParamsRequest{})
		require.NoError(t, err)
		require.Equal(t, rep, gotRep.Params)
		gotOrc, err := oracletypes.NewQueryClient(conn).Params(ctx, &oracletypes.QueryParamsRequest{})
		require.NoError(t, err)
		require.Equal(t, orc, gotOrc.Params)
	})
}

// submitProposal submits a governance proposal carrying msgs, deposited in
// full by the validator.
func submitProposal(t *testing.T, net *network.Network, val *network.Validator, msgs ...sdk.Msg) *sdk.TxResponse {
	t.Helper()
	var gov govv1.GenesisState
	require.NoError(t, val.ClientCtx.Codec.UnmarshalJSON(net.Config.GenesisState["gov"], &gov))
	proposal, err := govv1.NewMsgSubmitProposal(msgs, gov.Params.MinDeposit, val.Address.String(), "", "update params", "test", false)
	require.NoError(t, err)
	return network.BroadcastTx(t, net, val, val.Moniker, proposal)
}

func proposalIDFrom(t *testing.T, res *sdk.TxResponse) uint64 {
	t.Helper()
	var data sdk.TxMsgData
	require.NoError(t, proto.Unmarshal(mustHex(t, res.Data), &data))
	require.Len(t, data.MsgResponses, 1)
	var submit govv1.MsgSubmitProposalResponse
	require.NoError(t, proto.Unmarshal(data.MsgResponses[0].Value, &submit))
	return submit.ProposalId
}

func getREST(t *testing.T, val *network.Validator, path string, out proto.Message) {
	t.Helper()
	resp, err := http.Get(val.APIAddress + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.NoError(t, val.ClientCtx.Codec.UnmarshalJSON(body, out), string(body))
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}
