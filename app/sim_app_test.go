//go:build sims

package app_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"
	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	simcli "github.com/cosmos/cosmos-sdk/x/simulation/client/cli"

	"github.com/flashbacknetwork/flashbackd/app"
	oraclesim "github.com/flashbacknetwork/flashbackd/x/oracle/simulation"
	orchestratorkeeper "github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationkeeper "github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// flagSeeds lists the seeds a simulation test runs (-Seeds=1,2,3); the
// SDK's flags (-NumBlocks, -BlockSize, -Commit, -Verbose…) shape each run.
var flagSeeds string

func init() {
	simcli.GetSimulatorFlags()
	flag.StringVar(&flagSeeds, "Seeds", "1,2,3", "comma-separated simulation seeds")
}

func seeds(t testing.TB) []int64 {
	var out []int64
	for _, s := range strings.Split(flagSeeds, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		require.NoError(t, err, "-Seeds")
		out = append(out, v)
	}
	return out
}

// simApp is the flashbackd app as the SDK's simulator drives it, with two
// test-only wrappers around its ABCI handlers (nothing in the production
// app changes):
//   - the PreBlocker, after the app's own, feeds the oracle the
//     validators' QoS reports that the simulator's FinalizeBlock cannot
//     carry (x/oracle/simulation/qos_feed.go), and checks every agreed
//     value against the honest reports;
//   - the EndBlocker, after the app's own, runs every invariant of
//     x/orchestrator and x/reputation on the block's final state: the app
//     has no x/crisis, so the simulation checks them itself, every block.
//
// An invariant or a median outside the honest reports fails the block,
// hence the run, at the height where it broke.
type simApp struct {
	*app.App
	stats *simStats
	// commitHashes, when not nil, records the app hash of every commit
	// (the determinism test compares two runs' lists).
	commitHashes *[][]byte
}

// simStats counts what the wrappers checked.
type simStats struct {
	mu              sync.Mutex
	blocks          int
	invariantChecks int
	qosRecords      int
}

func (s *simStats) add(blocks, checks, records int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocks += blocks
	s.invariantChecks += checks
	s.qosRecords += records
}

// checkInvariants runs every Flashback invariant on ctx.
func checkInvariants(a *app.App, ctx sdk.Context) (string, bool) {
	for name, inv := range map[string]sdk.Invariant{
		orchestratortypes.ModuleName: orchestratorkeeper.AllInvariants(a.OrchestratorKeeper),
		reputationtypes.ModuleName:   reputationkeeper.AllInvariants(a.ReputationKeeper),
	} {
		if msg, broken := inv(ctx); broken {
			return name + ": " + msg, true
		}
	}
	return "", false
}

// newSimApp has the SDK's app-factory signature. The app is built without
// loading, so that its handlers can still be wrapped, then loaded.
func newSimApp(logger log.Logger, db dbm.DB, trace io.Writer, loadLatest bool, appOpts servertypes.AppOptions, opts ...func(*baseapp.BaseApp)) *simApp {
	a := app.New(logger, db, trace, false, appOpts, opts...)
	s := &simApp{App: a, stats: &simStats{}}
	feed := oraclesim.NewQoSFeed(a.OracleKeeper)
	a.SetPreBlocker(func(ctx sdk.Context, req *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
		res, err := a.PreBlocker(ctx, req)
		if err != nil {
			return nil, err
		}
		n, err := feed.Feed(ctx, req.DecidedLastCommit.Votes)
		if err != nil {
			return nil, fmt.Errorf("oracle QoS at height %d: %w", req.Height, err)
		}
		s.stats.add(0, 0, n)
		return res, nil
	})
	a.SetEndBlocker(func(ctx sdk.Context) (sdk.EndBlock, error) {
		res, err := a.EndBlocker(ctx)
		if err != nil {
			return res, err
		}
		if msg, broken := checkInvariants(a, ctx); broken {
			return res, fmt.Errorf("invariant broken at height %d: %s", ctx.BlockHeight(), msg)
		}
		s.stats.add(1, 1, 0)
		return res, nil
	})
	if loadLatest {
		if err := a.LoadLatestVersion(); err != nil {
			panic(err)
		}
	}
	return s
}

// newRecordingSimApp is newSimApp recording the app hash of every commit.
func newRecordingSimApp(logger log.Logger, db dbm.DB, trace io.Writer, loadLatest bool, appOpts servertypes.AppOptions, opts ...func(*baseapp.BaseApp)) *simApp {
	s := newSimApp(logger, db, trace, false, appOpts, opts...)
	s.recordCommits()
	if loadLatest {
		if err := s.LoadLatestVersion(); err != nil {
			panic(err)
		}
	}
	return s
}

// recordCommits makes s record the app hash after every commit.
func (s *simApp) recordCommits() {
	hashes := [][]byte{}
	s.commitHashes = &hashes
	s.SetStreamingManager(storetypes.StreamingManager{ABCIListeners: []storetypes.ABCIListener{commitRecorder{s}}})
}

type commitRecorder struct{ s *simApp }

func (commitRecorder) ListenFinalizeBlock(context.Context, abci.RequestFinalizeBlock, abci.ResponseFinalizeBlock) error {
	return nil
}

func (c commitRecorder) ListenCommit(context.Context, abci.ResponseCommit, []*storetypes.StoreKVPair) error {
	*c.s.commitHashes = append(*c.s.commitHashes, c.s.LastCommitID().Hash)
	return nil
}

// stateFactory is the SDK's random genesis over every module's generator.
func stateFactory(a *simApp) simsx.SimStateFactory {
	return simsx.SimStateFactory{
		Codec:         a.AppCodec(),
		AppStateFn:    simtestutil.AppStateFn(a.AppCodec(), a.SimulationManager(), a.DefaultGenesis()),
		BlockedAddr:   a.ModuleAccountAddrs(),
		AccountSource: a.AccountKeeper,
		BalanceSource: a.BankKeeper,
	}
}

// completed records the seeds whose run reached its end: the SDK's
// simulator skips a seed whose validators all left the set, and a test
// that passed on skipped seeds would have checked nothing.
var completed sync.Map

// requireCompleted makes t fail, once its seeds' subtests are done, for
// every seed that did not complete.
func requireCompleted(t *testing.T, seeds []int64) {
	t.Cleanup(func() {
		for _, seed := range seeds {
			if _, ok := completed.Load(fmt.Sprintf("%s/%d", t.Name(), seed)); !ok {
				t.Errorf("seed %d did not complete (the SDK's simulator stops a run whose validators all left the set): use another seed", seed)
			}
		}
	})
}

// checkFinalState runs the invariants once more on the committed state
// and prints what the run did to the Flashback modules: the figures the
// reliability report quotes.
func checkFinalState(t testing.TB, ti simsx.TestInstance[*simApp], _ []simtypes.Account) {
	a := ti.App
	ctx := a.NewUncachedContext(false, cmtHeader(a))
	msg, broken := checkInvariants(a.App, ctx)
	require.False(t, broken, msg)
	stats, err := a.OrchestratorKeeper.Stats.Get(ctx)
	require.NoError(t, err)
	var verdicts, disputes, ratings, records int
	_ = a.OrchestratorKeeper.UnitVerdicts.Walk(ctx, nil, func(_ collectionsPair, _ orchestratortypes.UnitVerdict) (bool, error) {
		verdicts++
		return false, nil
	})
	_ = a.ReputationKeeper.Disputes.Walk(ctx, nil, func(uint64, reputationtypes.Dispute) (bool, error) { disputes++; return false, nil })
	_ = a.ReputationKeeper.Ratings.Walk(ctx, nil, func(uint64, reputationtypes.Rating) (bool, error) { ratings++; return false, nil })
	a.stats.mu.Lock()
	defer a.stats.mu.Unlock()
	records = a.stats.qosRecords
	completed.Store(fmt.Sprintf("%s/%d", strings.Split(t.Name(), "/")[0], ti.Cfg.Seed), true)
	require.Positive(t, a.stats.invariantChecks, "the invariants never ran")
	fmt.Printf("FLASHBACK-SIM seed=%d height=%d blocks=%d invariant_checks=%d qos_records_checked=%d "+
		"providers=%d consumers=%d deals=%v units=%v unit_verdicts_kept=%d ratings=%d disputes=%d app_hash=%X\n",
		ti.Cfg.Seed, a.LastBlockHeight(), a.stats.blocks, a.stats.invariantChecks, records,
		stats.Providers, stats.Consumers, stats.DealsByState, stats.UnitsByState, verdicts, ratings, disputes,
		a.LastCommitID().Hash)
}
