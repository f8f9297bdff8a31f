package apptest

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
)

// BenchOptions shape an app for benchmarks and commands (no testing.TB):
// a caller-chosen database (goleveldb for production-like numbers) and
// genesis accounts whose public keys are already set, so that signed
// transactions pay for real signature checks and never for setting a key.
type BenchOptions struct {
	// Home is the app's home directory (required).
	Home string
	// DB is the database (required), e.g. dbm.NewGoLevelDB.
	DB dbm.DB
	// PubKeys are the genesis accounts, funded with Balance each, in order.
	PubKeys []cryptotypes.PubKey
	Balance sdk.Coins
	// Mutate edits the genesis app state before InitChain.
	Mutate func(app.GenesisState)
	// ConsensusParams of the chain; nil means the production ones
	// (app.ConsensusParams, block gas limit included) with vote extensions off.
	ConsensusParams *cmtproto.ConsensusParams
	// BaseAppOptions are passed to app.New after the chain ID.
	BaseAppOptions []func(*baseapp.BaseApp)
	// Logger of the app; a no-op logger when nil.
	Logger log.Logger
}

// SetupBench builds an app as Setup does (one random validator), with the
// accounts of opts and their public keys in genesis, runs InitChain and
// commits block 1. It returns errors instead of failing a test.
func SetupBench(opts BenchOptions) (*TestApp, error) {
	if opts.Home == "" || opts.DB == nil {
		return nil, errors.New("apptest: BenchOptions need a Home and a DB")
	}
	logger := opts.Logger
	if logger == nil {
		logger = log.NewNopLogger()
	}
	baseOpts := append([]func(*baseapp.BaseApp){baseapp.SetChainID(ChainID)}, opts.BaseAppOptions...)
	a := app.New(logger, opts.DB, nil, true, simtestutil.NewAppOptionsWithFlagHome(opts.Home), baseOpts...)

	valSet, err := simtestutil.CreateRandomValidatorSet()
	if err != nil {
		return nil, err
	}
	delegator := sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte("apptest-delegator")).PubKey().Address())
	accounts := []authtypes.GenesisAccount{authtypes.NewBaseAccount(delegator, nil, 0, 0)}
	balances := []banktypes.Balance{{Address: delegator.String(), Coins: sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(1_000_000)))}}
	for i, pk := range opts.PubKeys {
		addr := sdk.AccAddress(pk.Address())
		accounts = append(accounts, authtypes.NewBaseAccount(addr, pk, uint64(i+1), 0))
		balances = append(balances, banktypes.Balance{Address: addr.String(), Coins: opts.Balance})
	}
	genesis, err := genesisWithValidators(a.AppCodec(), a.DefaultGenesis(), valSet, accounts, balances)
	if err != nil {
		return nil, err
	}
	if opts.Mutate != nil {
		opts.Mutate(genesis)
	}
	appState, err := json.Marshal(genesis)
	if err != nil {
		return nil, err
	}

	var consensusParams cmtproto.ConsensusParams
	if opts.ConsensusParams != nil {
		consensusParams = *opts.ConsensusParams
	} else {
		consensusParams = app.ConsensusParams().ToProto()
		consensusParams.Abci = &cmtproto.ABCIParams{VoteExtensionsEnableHeight: 0}
		// The benchmarks execute blocks of a fixed number of transactions
		// (500 by default) to measure execution, whatever the gas limit a
		// proposer would fill blocks to (app.DefaultBlockMaxGas).
		consensusParams.Block.MaxGas = -1
	}
	if _, err := a.InitChain(&abci.RequestInitChain{
		ChainId:         ChainID,
		Time:            GenesisTime,
		AppStateBytes:   appState,
		ConsensusParams: &consensusParams,
		InitialHeight:   1,
	}); err != nil {
		return nil, fmt.Errorf("InitChain: %w", err)
	}

	ta := &TestApp{App: a, db: opts.DB, home: opts.Home, ValSet: valSet, Time: GenesisTime, BlockTime: time.Second}
	if _, err := ta.TryNextBlock(); err != nil {
		return nil, fmt.Errorf("block 1: %w", err)
	}
	return ta, nil
}

// InBatches calls f for 0 ≤ i < n on cached contexts of ctx, written every
// 5,000 calls with their events dropped: a benchmark's setup at 100k
// objects. Writing straight to the IAVL tree costs a tree update per write,
// and every object rewrites the same balances and counters; batching halves
// the setup.
func InBatches(ctx sdk.Context, n int, f func(ctx sdk.Context, i int)) {
	const batch = 5_000
	for start := 0; start < n; start += batch {
		cacheCtx, write := ctx.WithEventManager(sdk.NewEventManager()).CacheContext()
		for i := start; i < min(n, start+batch); i++ {
			f(cacheCtx, i)
		}
		write()
	}
}

// ResetTimer collects garbage, then resets b's timer: a benchmark's setup
// (100k objects) leaves gigabytes of garbage, and on a small machine the
// collector marking it in the background shares the CPU with the measured
// calls — enough to double a call of tens of microseconds.
func ResetTimer(b *testing.B) {
	runtime.GC()
	b.ResetTimer()
}
