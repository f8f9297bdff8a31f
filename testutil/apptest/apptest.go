// Package apptest builds a flashbackd app in memory, past genesis, for tests
// and benchmarks that drive blocks directly through ABCI (FinalizeBlock and
// Commit) without CometBFT.
package apptest

import (
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	orchestratorkeeper "github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	reputationkeeper "github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
)

// T is what the block helpers need of a test: *testing.T, *testing.B and
// property-test runners (with a Helper method) all fit.
type T interface {
	require.TestingT
	Helper()
}

// ChainID of apps built here.
const ChainID = "flashback-apptest-1"

// GenesisTime is the genesis time of apps built here; blocks advance from it.
var GenesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Options shape the genesis of a test app.
type Options struct {
	// DB is the database; an in-memory one when nil.
	DB dbm.DB
	// Accounts are funded at genesis with Balance each.
	Accounts []sdk.AccAddress
	Balance  sdk.Coins
	// Mutate edits the genesis app state before InitChain.
	Mutate func(app.GenesisState)
	// ValidatorKeys, when set, are the consensus keys of the genesis
	// validators (power 1 each), so that tests can sign votes and vote
	// extensions; otherwise one random validator is used.
	ValidatorKeys []cmtcrypto.PrivKey
	// VoteExtensionsEnableHeight is set in the consensus params (0: off).
	VoteExtensionsEnableHeight int64
	// AppOptions are extra node options (app.toml and config.toml keys,
	// e.g. "mempool.size").
	AppOptions map[string]any
}

// TestApp is a flashbackd app past genesis.
type TestApp struct {
	*app.App
	db     dbm.DB
	home   string
	ValSet *cmttypes.ValidatorSet
	// Height and Time are those of the last committed block.
	Height int64
	Time   time.Time
	// BlockTime is how far each NextBlock advances Time.
	BlockTime time.Duration
}

// Setup builds an app with one validator and the accounts of opts, runs
// InitChain and commits block 1.
func Setup(t testing.TB, opts Options) *TestApp {
	t.Helper()
	db := opts.DB
	if db == nil {
		db = dbm.NewMemDB()
	}
	home := t.TempDir()
	appOpts := simtestutil.AppOptionsMap{flags.FlagHome: home}
	for k, v := range opts.AppOptions {
		appOpts[k] = v
	}
	a := app.New(log.NewNopLogger(), db, nil, true, appOpts, baseapp.SetChainID(ChainID))

	valSet, err := simtestutil.CreateRandomValidatorSet()
	require.NoError(t, err)
	if len(opts.ValidatorKeys) > 0 {
		vals := make([]*cmttypes.Validator, len(opts.ValidatorKeys))
		for i, key := range opts.ValidatorKeys {
			vals[i] = cmttypes.NewValidator(key.PubKey(), 1)
		}
		valSet = cmttypes.NewValidatorSet(vals)
	}

	// The validators' self-delegation comes from a fixed genesis account, so
	// that apps built with the same options have the same genesis.
	delegator := sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte("apptest-delegator")).PubKey().Address())
	accounts := []authtypes.GenesisAccount{authtypes.NewBaseAccount(delegator, nil, 0, 0)}
	balances := []banktypes.Balance{{Address: delegator.String(), Coins: sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(1_000_000)))}}
	for _, addr := range opts.Accounts {
		accounts = append(accounts, authtypes.NewBaseAccount(addr, nil, 0, 0))
		balances = append(balances, banktypes.Balance{Address: addr.String(), Coins: opts.Balance})
	}

	genesis, err := genesisWithValidators(a.AppCodec(), a.DefaultGenesis(), valSet, accounts, balances)
	require.NoError(t, err)
	if opts.Mutate != nil {
		opts.Mutate(genesis)
	}
	appState, err := json.Marshal(genesis)
	require.NoError(t, err)

	consensusParams := *simtestutil.DefaultConsensusParams
	abciParams := cmtproto.ABCIParams{VoteExtensionsEnableHeight: opts.VoteExtensionsEnableHeight}
	consensusParams.Abci = &abciParams
	_, err = a.InitChain(&abci.RequestInitChain{
		ChainId:         ChainID,
		Time:            GenesisTime,
		AppStateBytes:   appState,
		ConsensusParams: &consensusParams,
		InitialHeight:   1,
	})
	require.NoError(t, err)

	ta := &TestApp{App: a, db: db, home: home, ValSet: valSet, Time: GenesisTime, BlockTime: time.Second}
	ta.NextBlock(t)
	return ta
}

// NextBlock executes and commits the next block with the given transactions.
func (a *TestApp) NextBlock(t T, txs ...[]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	res, err := a.TryNextBlock(txs...)
	require.NoError(t, err)
	return res
}

// TryNextBlock executes and commits the next block, returning FinalizeBlock's
// error instead of failing the test (a halt, for example).
func (a *TestApp) TryNextBlock(txs ...[]byte) (*abci.ResponseFinalizeBlock, error) {
	res, err := a.FinalizeBlock(&abci.RequestFinalizeBlock{
		Height:             a.Height + 1,
		Time:               a.Time.Add(a.BlockTime),
		Txs:                txs,
		ProposerAddress:    a.ValSet.Proposer.Address,
		NextValidatorsHash: a.ValSet.Hash(),
	})
	if err != nil {
		return nil, err
	}
	if _, err := a.Commit(); err != nil {
		return nil, err
	}
	a.Height++
	a.Time = a.Time.Add(a.BlockTime)
	return res, nil
}

// Restart builds a new app (as a restarted or upgraded binary would be) on
// the same database and continues from the last committed block.
func (a *TestApp) Restart(t T) {
	t.Helper()
	a.App = app.New(log.NewNopLogger(), a.db, nil, true, simtestutil.NewAppOptionsWithFlagHome(a.home),
		baseapp.SetChainID(ChainID))
}

// Ctx returns a context on the committed state, as a query would see it.
func (a *TestApp) Ctx() sdk.Context {
	return a.NewUncachedContext(false, cmtproto.Header{ChainID: ChainID, Height: a.Height, Time: a.Time})
}

// CheckInvariants fails the test if any Flashback module's invariant is
// broken on the committed state: the module accounts hold exactly what the
// modules' books say, and every index agrees with what it indexes.
func (a *TestApp) CheckInvariants(t T) {
	t.Helper()
	ctx := a.Ctx()
	for name, inv := range map[string]sdk.Invariant{
		"orchestrator": orchestratorkeeper.AllInvariants(a.OrchestratorKeeper),
		"reputation":   reputationkeeper.AllInvariants(a.ReputationKeeper),
	} {
		msg, broken := inv(ctx)
		require.False(t, broken, "%s: %s", name, msg)
	}
}
