//go:build sims

package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/x/feegrant"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/kv"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	authzkeeper "github.com/cosmos/cosmos-sdk/x/authz/keeper"
	simcli "github.com/cosmos/cosmos-sdk/x/simulation/client/cli"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/flashbacknetwork/flashbackd/app"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

type collectionsPair = collections.Pair[uint64, int64]

func cmtHeader(a *simApp) cmtproto.Header {
	return cmtproto.Header{ChainID: simsx.SimAppChainID, Height: a.LastBlockHeight()}
}

// TestFullAppSimulation runs the whole app — the SDK's modules and the
// three Flashback modules — on random genesis states and random weighted
// operations, one run per seed (-Seeds), checking every Flashback
// invariant after every block and the oracle's agreed QoS against the
// honest reports. `make sim-short` runs it small (CI), `make sim-long`
// large.
func TestFullAppSimulation(t *testing.T) {
	requireCompleted(t, seeds(t))
	simsx.RunWithSeeds(t, newSimApp, stateFactory, seeds(t), nil, checkFinalState)
}

// TestAppStateDeterminism runs each seed twice, from scratch, and requires
// the same app hash after every commit: a state machine that depends on
// map order, the wall clock or anything else outside the block diverges
// here (`make sim-determinism`).
func TestAppStateDeterminism(t *testing.T) {
	cfg := simcli.NewConfigFromFlags()
	cfg.ChainID = simsx.SimAppChainID
	for _, seed := range seeds(t) {
		var runs [2][][]byte
		for i := range runs {
			simsx.RunWithSeed(t, cfg, newRecordingSimApp, stateFactory, seed, nil, func(t testing.TB, ti simsx.TestInstance[*simApp], _ []simtypes.Account) {
				runs[i] = *ti.App.commitHashes
			})
		}
		require.NotEmpty(t, runs[0])
		require.Len(t, runs[1], len(runs[0]), "seed %d: the runs committed a different number of blocks", seed)
		for h := range runs[0] {
			require.True(t, bytes.Equal(runs[0][h], runs[1][h]),
				"seed %d: app hashes differ at commit %d: %X vs %X", seed, h+1, runs[0][h], runs[1][h])
		}
		fmt.Printf("FLASHBACK-SIM determinism seed=%d commits=%d identical app hashes\n", seed, len(runs[0]))
	}
}

// skipPrefixes are store ranges whose content legitimately differs after
// an export and import: the SDK modules' queues and histories, as in the
// SDK's own import/export simulation.
var skipPrefixes = map[string][][]byte{
	stakingtypes.StoreKey: {
		stakingtypes.UnbondingQueueKey, stakingtypes.RedelegationQueueKey, stakingtypes.ValidatorQueueKey,
		stakingtypes.HistoricalInfoKey, stakingtypes.UnbondingIDKey, stakingtypes.UnbondingIndexKey,
		stakingtypes.UnbondingTypeKey, stakingtypes.ValidatorUpdatesKey,
	},
	authzkeeper.StoreKey:   {authzkeeper.GrantQueuePrefix},
	feegrant.StoreKey:      {feegrant.FeeAllowanceQueueKeyPrefix},
	slashingtypes.StoreKey: {slashingtypes.ValidatorMissedBlockBitmapKeyPrefix},
	// The request cursor is derived and advances lazily past answered
	// requests; an import restarts it at the oldest pending request
	// (README). requestCursorsAgree checks the two mean the same.
	orchestratortypes.StoreKey: {orchestratortypes.RequestCursorKey},
}

// requestCursorsAgree: the imported cursor may be past the exported one
// only over deals that are no longer pending, so the same requests expire.
func requestCursorsAgree(t testing.TB, a, b *simApp, ctxA, ctxB sdk.Context) {
	ca, err := a.OrchestratorKeeper.RequestCursor.Get(ctxA)
	require.NoError(t, err)
	cb, err := b.OrchestratorKeeper.RequestCursor.Get(ctxB)
	require.NoError(t, err)
	require.GreaterOrEqual(t, cb, ca, "the imported request cursor went back")
	for id := ca; id < cb; id++ {
		d, err := a.OrchestratorKeeper.Deals.Get(ctxA, id)
		require.NoError(t, err)
		require.NotEqual(t, orchestratortypes.DEAL_STATE_PENDING, d.State, "request %d is pending but behind the imported cursor", id)
	}
}

// storeNames are the app's KV stores compared after import.
var storeNames = []string{
	"acc", "bank", "staking", "mint", "distribution", "slashing", "gov", "upgrade", "feegrant",
	"evidence", "authz", "epochs", "orchestrator", "reputation", "oracle",
}

// TestAppImportExport runs a simulation, exports the state, imports it
// into a fresh app and compares the two apps store by store, key by key:
// every Flashback module's export must carry everything its store holds,
// and its import must rebuild every index exactly (`make
// sim-import-export`).
func TestAppImportExport(t *testing.T) {
	requireCompleted(t, seeds(t))
	simsx.RunWithSeeds(t, newSimApp, stateFactory, seeds(t), nil, checkFinalState,
		func(t testing.TB, ti simsx.TestInstance[*simApp], _ []simtypes.Account) {
			a := ti.App
			exported, err := a.ExportAppStateAndValidators(false, nil, nil)
			require.NoError(t, err)

			newInstance := simsx.NewSimulationAppInstance(t, ti.Cfg, newSimApp)
			b := newInstance.App
			var genesis app.GenesisState
			require.NoError(t, json.Unmarshal(exported.AppState, &genesis))
			header := cmtHeader(a)
			ctxA := a.NewContextLegacy(true, header)
			ctxB := b.NewContextLegacy(true, header)
			_, err = b.InitChainer(ctxB, &abci.RequestInitChain{AppStateBytes: exported.AppState})
			require.NoError(t, err)
			require.NoError(t, b.StoreConsensusParams(ctxB, exported.ConsensusParams))
			msg, broken := checkInvariants(b.App, ctxB)
			require.False(t, broken, "after import: %s", msg)

			requestCursorsAgree(t, a, b, ctxA, ctxB)
			compared := 0
			for _, name := range storeNames {
				keyA, keyB := a.GetKey(name), b.GetKey(name)
				require.NotNil(t, keyA, name)
				diffA, diffB := simtestutil.DiffKVStores(ctxA.KVStore(keyA), ctxB.KVStore(keyB), skipPrefixes[name])
				require.Equal(t, len(diffA), len(diffB), "%s: unequal sets of key-values", name)
				require.Empty(t, diffA, "%s differs after import:\n%s", name, describeDiff(a, name, diffA, diffB))
				compared++
			}
			fmt.Printf("FLASHBACK-SIM import-export seed=%d height=%d stores_compared=%d identical\n", ti.Cfg.Seed, a.LastBlockHeight(), compared)
		})
}

// describeDiff decodes differing entries with the module's store decoder,
// or shows them raw when the decoder cannot (a decoder panics on a key
// outside its schema).
func describeDiff(a *simApp, name string, diffA, diffB []kv.Pair) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprintf("(decoder failed: %v)\n", r)
			for i := range diffA {
				out += fmt.Sprintf("key %X\n  exported: %X\n  imported: %X\n", diffA[i].Key, diffA[i].Value, diffB[i].Value)
			}
		}
	}()
	return simtestutil.GetSimulationLog(name, a.SimulationManager().StoreDecoders, diffA, diffB)
}
