package chain_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestClientOnChain: the client reads the chain id from the RPC node, signs
// and sends transactions with a keyring key and returns their message
// responses; when someone else used the key meanwhile (a stale cached
// sequence) it re-reads the account and succeeds; a message the chain
// refuses is an error, and not-found queries are told apart from failures.
func TestClientOnChain(t *testing.T) {
	env := providertest.Start(t)
	ctx := context.Background()
	provider := env.NewAccounts("provider")[0]
	c, err := chain.New(chain.Config{
		GRPCAddress: env.Val.AppConfig.GRPC.Address, RPCAddress: env.Val.RPCAddress,
		Keyring: env.Val.ClientCtx.Keyring, KeyName: "provider",
		GasPrices: "0.0025uflash", GasAdjustment: 1.5, TxTimeout: 20 * time.Second,
		Codec: env.Val.ClientCtx.Codec, InterfaceRegistry: env.Val.ClientCtx.InterfaceRegistry, TxConfig: env.Val.ClientCtx.TxConfig,
	}, log.NewTestLogger(t))
	require.NoError(t, err)
	defer c.Close()
	require.Equal(t, provider, c.Address())
	id, err := c.ChainID(ctx)
	require.NoError(t, err)
	require.Equal(t, env.ChainID, id)

	_, err = c.Provider(ctx, provider.String())
	require.True(t, chain.IsNotFound(err), "%v", err)
	res, err := c.Send(ctx, &types.MsgRegisterProvider{Owner: provider.String(), Name: "Acme", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})
	require.NoError(t, err)
	require.Positive(t, res.Height)
	p, err := c.Provider(ctx, provider.String())
	require.NoError(t, err)
	require.Equal(t, "Acme", p.Name)

	// The same key signs elsewhere: the client's cached sequence is stale.
	network.BroadcastTx(t, env.Net, env.Val, "provider", banktypes.NewMsgSend(provider, env.Val.Address, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1))))
	res, err = c.Send(ctx, &types.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 10, PricePerGbMonth: providertest.PricePerGBSecond1000, Region: "eu-west", Country: "FR",
		Api: types.API_COMPATIBILITY_S3, Endpoint: "https://node.example/unit-1", Sla: providertest.SLA,
	})
	require.NoError(t, err, "re-read the account after the mismatch and retried")
	var created types.MsgCreateDataUnitResponse
	require.NoError(t, res.MsgResponse(0, &created))
	require.Equal(t, uint64(1), created.UnitId)

	// A message the chain refuses.
	_, err = c.Send(ctx, &types.MsgAcceptDeal{Provider: provider.String(), DealId: 99})
	require.ErrorContains(t, err, "deal")
	_, err = c.Deal(ctx, 99)
	require.True(t, chain.IsNotFound(err))
	deals, err := c.ProviderDeals(ctx, provider.String(), types.DEAL_STATE_PENDING)
	require.NoError(t, err)
	require.Empty(t, deals)
}
