// Package network runs in-process flashbackd networks for integration tests:
// real CometBFT nodes, real signed transactions, gRPC and REST on loopback.
// It configures the Cosmos SDK's testutil/network for flashbackd.
package network

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"
	pruningtypes "cosmossdk.io/store/pruning/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdknetwork "github.com/cosmos/cosmos-sdk/testutil/network"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"

	"github.com/flashbacknetwork/flashbackd/app"
)

type (
	// Network is an in-process network of flashbackd validators.
	Network = sdknetwork.Network
	// Validator is one in-process validator of a Network.
	Validator = sdknetwork.Validator
	// Config configures a Network.
	Config = sdknetwork.Config
)

// VotingPeriod is the governance voting period of test networks.
const VotingPeriod = 6 * time.Second

// DefaultConfig returns a network config running flashbackd with FLASH
// denoms, listening on 127.0.0.1 only, with a short governance voting period.
func DefaultConfig(t testing.TB) Config {
	t.Helper()
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	enc := moduletestutil.TestEncodingConfig{
		InterfaceRegistry: tempApp.InterfaceRegistry(),
		Codec:             tempApp.AppCodec(),
		TxConfig:          tempApp.TxConfig(),
		Amino:             tempApp.LegacyAmino(),
	}

	genesis := tempApp.DefaultGenesis()
	var gov govv1.GenesisState
	tempApp.AppCodec().MustUnmarshalJSON(genesis["gov"], &gov)
	votingPeriod := VotingPeriod
	gov.Params.VotingPeriod = &votingPeriod
	gov.Params.MinDeposit = sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 10_000_000))
	genesis["gov"] = tempApp.AppCodec().MustMarshalJSON(&gov)

	cfg := sdknetwork.DefaultConfig(func() sdknetwork.TestFixture {
		return sdknetwork.TestFixture{EncodingConfig: enc, GenesisState: genesis}
	})
	cfg.ChainID = "flashback-test-1"
	cfg.BondDenom = app.BondDenom
	cfg.MinGasPrices = app.DefaultMinGasPrices
	cfg.NumValidators = 1
	cfg.TimeoutCommit = 500 * time.Millisecond
	cfg.AccountTokens = sdkmath.NewInt(1_000_000_000_000)
	cfg.StakingTokens = sdkmath.NewInt(1_000_000_000_000)
	cfg.BondedTokens = sdkmath.NewInt(100_000_000_000)
	cfg.PruningStrategy = pruningtypes.PruningOptionNothing
	cfg.AppConstructor = func(val sdknetwork.ValidatorI) servertypes.Application {
		return app.New(
			val.GetCtx().Logger, dbm.NewMemDB(), nil, true,
			simtestutil.NewAppOptionsWithFlagHome(val.GetCtx().Config.RootDir),
			baseapp.SetPruning(pruningtypes.NewPruningOptionsFromString(val.GetAppConfig().Pruning)),
			baseapp.SetMinGasPrices(val.GetAppConfig().MinGasPrices),
			baseapp.SetChainID(cfg.ChainID),
		)
	}
	return cfg
}

// EnableProber makes every validator of cfg run the oracle's QoS prober,
// with oracle's entries as its [oracle] app.toml settings (keys without the
// "oracle." prefix, e.g. "probe-interval": "1s"; "enabled" is set), and
// turns vote extensions on from app.VoteExtensionsEnableHeight, as in every
// genesis the project writes. The SDK's network writes CometBFT's default
// consensus params, in which vote extensions are off; it builds each
// validator's app before its node reads the genesis file, so the app
// constructor sets the params there.
func EnableProber(cfg *Config, oracle map[string]any) {
	chainID := cfg.ChainID
	cfg.AppConstructor = func(val sdknetwork.ValidatorI) servertypes.Application {
		if err := setConsensusParams(val.GetCtx().Config.GenesisFile(), app.ConsensusParams()); err != nil {
			panic(fmt.Errorf("enabling vote extensions in %s: %w", val.GetCtx().Config.GenesisFile(), err))
		}
		opts := simtestutil.AppOptionsMap{flags.FlagHome: val.GetCtx().Config.RootDir, "oracle.enabled": true}
		for key, v := range oracle {
			opts["oracle."+key] = v
		}
		return app.New(
			val.GetCtx().Logger, dbm.NewMemDB(), nil, true, opts,
			baseapp.SetPruning(pruningtypes.NewPruningOptionsFromString(val.GetAppConfig().Pruning)),
			baseapp.SetMinGasPrices(val.GetAppConfig().MinGasPrices),
			baseapp.SetChainID(chainID),
		)
	}
}

// setConsensusParams rewrites the consensus params of a genesis file.
func setConsensusParams(path string, params *cmttypes.ConsensusParams) error {
	genesis, err := genutiltypes.AppGenesisFromFile(path)
	if err != nil {
		return err
	}
	if genesis.Consensus == nil {
		genesis.Consensus = &genutiltypes.ConsensusGenesis{}
	}
	genesis.Consensus.Params = params
	return genesis.SaveAs(path)
}

// New starts a network and stops it when the test ends. Only one network may
// run in a process at a time (a CometBFT limitation).
func New(t testing.TB, cfg Config) *Network {
	t.Helper()
	for _, addr := range []*string{&cfg.RPCAddress, &cfg.APIAddress, &cfg.GRPCAddress} {
		a, _, closeFn, err := sdknetwork.FreeTCPAddr()
		require.NoError(t, err)
		require.NoError(t, closeFn())
		*addr = a
	}
	cfg.GRPCAddress = strings.TrimPrefix(cfg.GRPCAddress, "tcp://")
	// The SDK's network writes each validator's app.toml from its default
	// config struct with the process-wide app.toml template. A flashbackd
	// command run earlier in the same test process (its pre-run) replaces
	// that template with flashbackd's, which has an [oracle] section the
	// default struct lacks: put the SDK's template back.
	serverconfig.SetConfigTemplate(serverconfig.DefaultConfigTemplate)
	net, err := sdknetwork.New(t, t.TempDir(), cfg)
	require.NoError(t, err)
	_, err = net.WaitForHeight(1)
	require.NoError(t, err)
	t.Cleanup(net.Cleanup)
	return net
}

// DefaultGas is enough for any single flashbackd message in tests.
const DefaultGas = 400_000

// BroadcastTx signs msgs with the key `from` of val's keyring, broadcasts
// the transaction and waits until a block includes it. It returns the
// executed transaction's response; its Code is 0 on success.
func BroadcastTx(t testing.TB, net *Network, val *Validator, from string, msgs ...sdk.Msg) *sdk.TxResponse {
	t.Helper()
	clientCtx := val.ClientCtx
	record, err := clientCtx.Keyring.Key(from)
	require.NoError(t, err)
	fromAddr, err := record.GetAddress()
	require.NoError(t, err)

	acc, err := clientCtx.AccountRetriever.GetAccount(clientCtx, fromAddr)
	require.NoError(t, err)

	txf := clienttx.Factory{}.
		WithChainID(net.Config.ChainID).
		WithKeybase(clientCtx.Keyring).
		WithTxConfig(clientCtx.TxConfig).
		WithAccountRetriever(clientCtx.AccountRetriever).
		WithAccountNumber(acc.GetAccountNumber()).
		WithSequence(acc.GetSequence()).
		WithGas(DefaultGas).
		WithFees(fmt.Sprintf("%d%s", DefaultGas/100, app.BondDenom))
	txBuilder, err := txf.BuildUnsignedTx(msgs...)
	require.NoError(t, err)
	require.NoError(t, clienttx.Sign(context.Background(), txf, from, txBuilder, true))
	txBytes, err := clientCtx.TxConfig.TxEncoder()(txBuilder.GetTx())
	require.NoError(t, err)

	res, err := clientCtx.WithBroadcastMode("sync").BroadcastTx(txBytes)
	require.NoError(t, err)
	if res.Code != 0 {
		return res // rejected by CheckTx: never included
	}
	return WaitForTx(t, net, val, res.TxHash)
}

// WaitForTx polls the tx service until the transaction is in a block.
func WaitForTx(t testing.TB, net *Network, val *Validator, hash string) *sdk.TxResponse {
	t.Helper()
	svc := txtypes.NewServiceClient(val.ClientCtx)
	var last error
	for i := 0; i < 40; i++ {
		res, err := svc.GetTx(context.Background(), &txtypes.GetTxRequest{Hash: hash})
		if err == nil {
			return res.TxResponse
		}
		last = err
		_ = net.WaitForNextBlock()
	}
	require.NoError(t, last, "transaction %s was not included", hash)
	return nil
}

// ClientCtx returns the client context of the first validator.
func ClientCtx(net *Network) client.Context { return net.Validators[0].ClientCtx }
