package cmd_test

import (
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestBridgeCredentials: on a real chain, the consumer's `bridge
// credentials` derives from chain data and its own key file exactly the
// credentials the provider derives with its key; without the right key it
// derives nothing.
func TestBridgeCredentials(t *testing.T) {
	net := network.New(t, network.DefaultConfig(t))
	val := net.Validators[0]
	newKey := func(name string) sdk.AccAddress {
		rec, _, err := val.ClientCtx.Keyring.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
		require.NoError(t, err)
		addr, err := rec.GetAddress()
		require.NoError(t, err)
		return addr
	}
	provider, consumer := newKey("provider"), newKey("consumer")
	send := func(from string, msgs ...sdk.Msg) {
		t.Helper()
		res := network.BroadcastTx(t, net, val, from, msgs...)
		require.Zero(t, res.Code, res.RawLog)
	}
	fund := sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5_000_000_000))
	send(val.Moniker, banktypes.NewMsgSend(val.Address, provider, fund), banktypes.NewMsgSend(val.Address, consumer, fund))

	dir := t.TempDir()
	consumerKeyFile, providerKeyFile := filepath.Join(dir, "consumer.json"), filepath.Join(dir, "provider.json")
	// The CLI creates the consumer's key; the provider's node would create its own.
	out := mustRun(t, "bridge", "access-key", "--access-key-file", consumerKeyFile)
	require.Contains(t, out, "created "+consumerKeyFile)
	consumerKey, err := dealauth.LoadKey(consumerKeyFile)
	require.NoError(t, err)
	require.Contains(t, out, hex.EncodeToString(consumerKey.PublicKey().Bytes()))
	providerKey, err := dealauth.CreateKey(providerKeyFile)
	require.NoError(t, err)

	sla := types.Sla{MaxLatencyMs: 100, MinUploadKbps: 1000, MinDownloadKbps: 1000, MinUptimeBps: 9900, MaxErrorRateBps: 100}
	send("provider",
		&types.MsgRegisterProvider{Owner: provider.String(), Name: "Acme", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)},
		&types.MsgSetAccessKey{Owner: provider.String(), PublicKey: providerKey.PublicKey().Bytes()},
		&types.MsgCreateDataUnit{
			Provider: provider.String(), CapacityGb: 100, PricePerGbMonth: sdkmath.NewInt(20_000), Region: "eu-west", Country: "FR",
			Api: types.API_COMPATIBILITY_S3, Endpoint: layout.UnitEndpoint("http://node.acme.example:9000", 1), Sla: sla,
		})
	send("consumer",
		&types.MsgRegisterConsumer{Owner: consumer.String()},
		&types.MsgSetAccessKey{Owner: consumer.String(), PublicKey: consumerKey.PublicKey().Bytes()},
		&types.MsgRequestDeal{Consumer: consumer.String(), UnitId: 1, CapacityGb: 10, Term: 30 * 24 * time.Hour, Sla: sla,
			Deposit: sdk.NewInt64Coin(app.BondDenom, 200_000)})

	node := []string{"--node", val.RPCAddress, "--home", val.Dir}
	out = mustRun(t, append([]string{"bridge", "credentials", "1", "--access-key-file", consumerKeyFile, "-o", "json"}, node...)...)
	var got struct {
		DealID          uint64 `json:"deal_id"`
		Endpoint        string `json:"endpoint"`
		Bucket          string `json:"bucket"`
		AccessKeyID     string `json:"AccessKeyID"`
		SecretAccessKey string `json:"SecretAccessKey"`
	}
	require.NoError(t, json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &got), out)
	want, err := dealauth.Derive(providerKey, consumerKey.PublicKey().Bytes(), providerKey.PublicKey().Bytes(), net.Config.ChainID, 1)
	require.NoError(t, err)
	require.Equal(t, want.AccessKeyID, got.AccessKeyID)
	require.Equal(t, want.SecretAccessKey, got.SecretAccessKey)
	require.Equal(t, "http://node.acme.example:9000", got.Endpoint)
	require.Equal(t, "deal-1", got.Bucket)

	env := mustRun(t, append([]string{"bridge", "credentials", "1", "--access-key-file", consumerKeyFile, "-o", "env"}, node...)...)
	require.Contains(t, env, "export AWS_SECRET_ACCESS_KEY="+want.SecretAccessKey)

	// Someone else's key derives nothing; bad input is refused clearly.
	strangerKeyFile := filepath.Join(dir, "stranger.json")
	_, err = dealauth.CreateKey(strangerKeyFile)
	require.NoError(t, err)
	_, err = run(t, append([]string{"bridge", "credentials", "1", "--access-key-file", strangerKeyFile}, node...)...)
	require.ErrorContains(t, err, "neither the deal's consumer key nor its provider key")
	_, err = run(t, append([]string{"bridge", "credentials", "0", "--access-key-file", consumerKeyFile}, node...)...)
	require.ErrorContains(t, err, "positive integer")
	_, err = run(t, append([]string{"bridge", "credentials", "99", "--access-key-file", consumerKeyFile}, node...)...)
	require.ErrorContains(t, err, "deal 99")
	_, err = run(t, append([]string{"bridge", "credentials", "1", "--access-key-file", filepath.Join(dir, "missing.json")}, node...)...)
	require.ErrorContains(t, err, "bridge access-key")
}
