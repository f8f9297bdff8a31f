// Package throughput measures how many transactions per second a real
// flashbackd app executes, per message type, in the pattern of the Cosmos
// SDK's block-execution benchmark: the app runs on goleveldb (the production
// backend) with thousands of funded accounts whose public keys are set in
// genesis; every transaction is built and signed (secp256k1,
// SIGN_MODE_DIRECT, fees at the minimum gas price) before the clock starts;
// blocks are executed through FinalizeBlock and Commit, each timed
// separately; every transaction's result code must be 0.
//
// Workloads (see Registry) are measured in interleaved blocks — bank, W1,
// bank, W2, …, round after round — so that drift (caches warming, the store
// growing, other load on the machine) affects the baseline and the others
// alike.
package throughput

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/store"
	pruningtypes "cosmossdk.io/store/pruning/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Config of a run. Zero fields take DefaultConfig's values.
type Config struct {
	// Dir receives the goleveldb database and the app home; a temporary
	// directory (removed afterwards) when empty.
	Dir string `json:"-"`
	// Accounts funded at genesis (public keys set). The first TxsPerBlock are
	// providers (one data unit each), the others consumers.
	Accounts int `json:"accounts"`
	// TxsPerBlock is the size of a measured block.
	TxsPerBlock int `json:"txs_per_block"`
	// Rounds is the number of measured blocks of each workload other than
	// the baseline; the baseline runs one block before each of theirs.
	Rounds int `json:"rounds"`
	// SetupBlockTxs is the size of setup blocks.
	SetupBlockTxs int `json:"setup_block_txs"`
	// Workloads to run, by name (the baseline always runs); all when empty.
	Workloads []string `json:"workloads,omitempty"`
	// ProfileDir, when set, receives <workload>.prof: a CPU profile of
	// ProfileBlocks extra blocks of the slowest workload. The extra blocks of
	// every workload run (after the measured ones, unmeasured) either way
	// when ProfileBlocks > 0, so that what executes does not depend on
	// timing.
	ProfileDir    string `json:"-"`
	ProfileBlocks int    `json:"profile_blocks"`
	// Log receives progress lines; nothing when nil.
	Log io.Writer `json:"-"`
}

// DefaultConfig is the full measurement: 5,000 accounts, 500-transaction
// blocks, 10 measured blocks per workload.
func DefaultConfig() Config {
	return Config{Accounts: 5000, TxsPerBlock: 500, Rounds: 10, SetupBlockTxs: 250, ProfileBlocks: 10}
}

// WorkloadResult is the measurement of one workload.
type WorkloadResult struct {
	Name string `json:"name"`
	Msg  string `json:"msg"`
	// Blocks and Txs measured.
	Blocks int `json:"blocks"`
	Txs    int `json:"txs"`
	// Seconds spent in FinalizeBlock and in Commit over the measured blocks.
	FinalizeSeconds float64 `json:"finalize_seconds"`
	CommitSeconds   float64 `json:"commit_seconds"`
	// TxPerSec is Txs / (FinalizeSeconds + CommitSeconds).
	TxPerSec float64 `json:"tx_per_sec"`
	// MicrosPerTx is the inverse, in µs.
	MicrosPerTx float64 `json:"us_per_tx"`
	// MinBlockTxPerSec and MaxBlockTxPerSec show the spread between blocks.
	MinBlockTxPerSec float64 `json:"min_block_tx_per_sec"`
	MaxBlockTxPerSec float64 `json:"max_block_tx_per_sec"`
	// FinalizeShare is FinalizeBlock's part of the time (the rest is Commit).
	FinalizeShare float64 `json:"finalize_share"`
	// GasPerTx is the mean gas used (from the results); GasLimit the limit
	// each transaction carried (1.5 × simulated + 10,000).
	GasPerTx float64 `json:"gas_per_tx"`
	GasLimit uint64  `json:"gas_limit"`
	// FitPerBlock is how many such transactions the production block gas
	// limit (app.DefaultBlockMaxGas) holds at GasPerTx.
	FitPerBlock int64 `json:"fit_per_block"`
	// TimeRatio and GasRatio compare time and gas per transaction with the
	// baseline (bank send): 2 means twice the bank send's.
	TimeRatio float64 `json:"time_ratio"`
	GasRatio  float64 `json:"gas_ratio"`
}

// Result of a run.
type Result struct {
	Config    Config           `json:"config"`
	Workloads []WorkloadResult `json:"workloads"`
	// SetupSeconds covers genesis and setup blocks, SignSeconds the signing
	// of the measured transactions (both outside the measurement).
	SetupSeconds float64 `json:"setup_seconds"`
	SignSeconds  float64 `json:"sign_seconds"`
	// Height after the run and the number of measured blocks.
	Height         int64 `json:"height"`
	MeasuredBlocks int   `json:"measured_blocks"`
	MeasuredTxs    int   `json:"measured_txs"`
	// Slowest is the workload with the lowest tx/s; Profile its CPU profile.
	Slowest string `json:"slowest"`
	Profile string `json:"profile,omitempty"`
}

// fundsPerAccount is each genesis account's balance: 10 million FLASH.
const fundsPerAccount = 10_000_000_000_000

// Names lists the registered workloads in order.
func Names() []string {
	var names []string
	for _, mk := range Registry {
		names = append(names, mk().Name)
	}
	return names
}

type scheduled struct {
	w       int // index in the run's workloads
	round   int
	measure bool
}

// Run executes the measurement.
func Run(cfg Config) (*Result, error) {
	def := DefaultConfig()
	if cfg.Accounts == 0 {
		cfg.Accounts = def.Accounts
	}
	if cfg.TxsPerBlock == 0 {
		cfg.TxsPerBlock = def.TxsPerBlock
	}
	if cfg.Rounds == 0 {
		cfg.Rounds = def.Rounds
	}
	if cfg.SetupBlockTxs == 0 {
		cfg.SetupBlockTxs = def.SetupBlockTxs
	}
	if cfg.ProfileDir != "" && cfg.ProfileBlocks == 0 {
		cfg.ProfileBlocks = def.ProfileBlocks
	}
	if cfg.TxsPerBlock < 2 || cfg.Accounts < 2*cfg.TxsPerBlock {
		return nil, fmt.Errorf("need at least 2 transactions per block and 2 × txs-per-block accounts (providers and consumers), got %d and %d",
			cfg.TxsPerBlock, cfg.Accounts)
	}
	workloads, err := selectWorkloads(cfg.Workloads)
	if err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}

	dir := cfg.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "flashbackd-throughput-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	}
	setupStart := time.Now()
	db, err := dbm.NewGoLevelDB("application", filepath.Join(dir, "data"), nil)
	if err != nil {
		return nil, err
	}

	accounts := make([]*txgen.Account, cfg.Accounts)
	pubKeys := make([]cryptotypes.PubKey, cfg.Accounts)
	for i := range accounts {
		accounts[i] = txgen.NewAccount(txgen.DeterministicKey("flashbackd-bench-throughput", i))
		pubKeys[i] = accounts[i].Priv.PubKey()
	}
	logf("throughput: genesis with %d accounts (public keys set) on goleveldb in %s", cfg.Accounts, dir)
	a, err := apptest.SetupBench(apptest.BenchOptions{
		Home:    filepath.Join(dir, "home"),
		DB:      db,
		PubKeys: pubKeys,
		Balance: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, fundsPerAccount)),
		Mutate:  lowerMinRatingPayment,
		// What `flashbackd start` sets with the default app.toml.
		BaseAppOptions: []func(*baseapp.BaseApp){
			baseapp.SetPruning(pruningtypes.NewPruningOptions(pruningtypes.PruningDefault)),
			baseapp.SetInterBlockCache(store.NewCommitKVStoreCacheManager()),
			baseapp.SetIAVLCacheSize(781250),
		},
	})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	defer a.Close()

	ctx := a.Ctx()
	for _, acc := range accounts {
		ba := a.AccountKeeper.GetAccount(ctx, acc.Addr)
		if ba == nil || ba.GetPubKey() == nil {
			return nil, fmt.Errorf("genesis account %s missing or without public key", acc.Addr)
		}
		acc.Num, acc.Seq = ba.GetAccountNumber(), ba.GetSequence()
	}

	e := &Env{
		App: a, TxCfg: a.TxConfig(), Accounts: accounts,
		Providers: accounts[:cfg.TxsPerBlock], Consumers: accounts[cfg.TxsPerBlock:],
		PerBlock: cfg.TxsPerBlock, setupBlockTxs: cfg.SetupBlockTxs, log: cfg.Log,
	}
	if err := setupMarket(e); err != nil {
		return nil, err
	}

	// Rounds each workload must prepare: measured, then profile blocks.
	rounds := make([]int, len(workloads))
	for i := range workloads {
		rounds[i] = cfg.Rounds
		if i == 0 && len(workloads) > 1 {
			rounds[i] = cfg.Rounds * (len(workloads) - 1)
		}
	}
	for i, w := range workloads {
		if w.Setup != nil {
			if err := w.Setup(e, rounds[i]+cfg.ProfileBlocks); err != nil {
				return nil, fmt.Errorf("setup of %s: %w", w.Name, err)
			}
		}
	}
	if err := e.AdvanceTime(SetupAdvance); err != nil {
		return nil, err
	}
	// Measured blocks must not pay for compacting the setup's writes (those
	// of the measured blocks themselves are part of the measurement).
	logf("throughput: compacting the database after setup (height %d)", a.Height)
	if err := db.ForceCompact(nil, nil); err != nil {
		return nil, fmt.Errorf("compacting after setup: %w", err)
	}

	gasLimits := make([]uint64, len(workloads))
	for i, w := range workloads {
		if gasLimits[i], err = simulateGas(e, w); err != nil {
			return nil, fmt.Errorf("simulating %s: %w", w.Name, err)
		}
	}
	res := &Result{Config: cfg, SetupSeconds: time.Since(setupStart).Seconds()}

	// The schedule: bank, W1, bank, W2, … per round, then the profile blocks.
	var schedule []scheduled
	baseRound := 0
	for r := 0; r < cfg.Rounds; r++ {
		if len(workloads) == 1 {
			schedule = append(schedule, scheduled{w: 0, round: r, measure: true})
			continue
		}
		for i := 1; i < len(workloads); i++ {
			schedule = append(schedule, scheduled{w: 0, round: baseRound, measure: true}, scheduled{w: i, round: r, measure: true})
			baseRound++
		}
	}
	for i := range workloads {
		for p := 0; p < cfg.ProfileBlocks; p++ {
			schedule = append(schedule, scheduled{w: i, round: rounds[i] + p})
		}
	}

	// Sequences follow the schedule; then everything is signed at once.
	signStart := time.Now()
	planned := make([]plannedTx, 0, len(schedule)*cfg.TxsPerBlock)
	for _, b := range schedule {
		for idx := 0; idx < cfg.TxsPerBlock; idx++ {
			tx := workloads[b.w].Tx(e, b.round, idx)
			planned = append(planned, plannedTx{acc: tx.Signer, seq: tx.Signer.Seq, gas: gasLimits[b.w], msg: tx.Msg})
			tx.Signer.Seq++
		}
	}
	encoded, err := e.signAll(planned)
	if err != nil {
		return nil, err
	}
	res.SignSeconds = time.Since(signStart).Seconds()
	logf("throughput: setup %.1fs, signed %d txs in %.1fs; measuring %d blocks of %d txs",
		res.SetupSeconds, len(encoded), res.SignSeconds, countMeasured(schedule), cfg.TxsPerBlock)

	type acc struct {
		blocks, txs        int
		fb, commit         time.Duration
		gasUsed            int64
		minBlock, maxBlock float64
	}
	accs := make([]acc, len(workloads))
	for i := range accs {
		accs[i].minBlock = math.Inf(1)
	}
	blockTxs := func(k int) [][]byte { return encoded[k*cfg.TxsPerBlock : (k+1)*cfg.TxsPerBlock] }
	k := 0
	for ; k < len(schedule) && schedule[k].measure; k++ {
		b := schedule[k]
		runtime.GC() // every block starts without the previous one's garbage
		out, fb, commit, err := e.execBlock(blockTxs(k))
		if err != nil {
			return nil, err
		}
		if err := checkCodes(out, a.Height); err != nil {
			return nil, fmt.Errorf("%s: %w", workloads[b.w].Name, err)
		}
		s := &accs[b.w]
		s.blocks++
		s.txs += len(out.TxResults)
		s.fb += fb
		s.commit += commit
		for _, r := range out.TxResults {
			s.gasUsed += r.GasUsed
		}
		tps := float64(len(out.TxResults)) / (fb + commit).Seconds()
		s.minBlock, s.maxBlock = math.Min(s.minBlock, tps), math.Max(s.maxBlock, tps)
		if (k+1)%10 == 0 {
			logf("  measured %d/%d blocks", k+1, countMeasured(schedule))
		}
	}
	res.MeasuredBlocks = k

	for i, w := range workloads {
		s := accs[i]
		wr := WorkloadResult{Name: w.Name, Msg: w.Msg, Blocks: s.blocks, Txs: s.txs, GasLimit: gasLimits[i],
			FinalizeSeconds: s.fb.Seconds(), CommitSeconds: s.commit.Seconds(),
			MinBlockTxPerSec: s.minBlock, MaxBlockTxPerSec: s.maxBlock}
		total := s.fb + s.commit
		wr.TxPerSec = float64(s.txs) / total.Seconds()
		wr.MicrosPerTx = total.Seconds() * 1e6 / float64(s.txs)
		wr.FinalizeShare = s.fb.Seconds() / total.Seconds()
		wr.GasPerTx = float64(s.gasUsed) / float64(s.txs)
		wr.FitPerBlock = int64(float64(app.DefaultBlockMaxGas) / wr.GasPerTx)
		res.Workloads = append(res.Workloads, wr)
		res.MeasuredTxs += s.txs
	}
	base := res.Workloads[0]
	slowest := 0
	for i := range res.Workloads {
		wr := &res.Workloads[i]
		wr.TimeRatio = wr.MicrosPerTx / base.MicrosPerTx
		wr.GasRatio = wr.GasPerTx / base.GasPerTx
		if wr.TxPerSec < res.Workloads[slowest].TxPerSec {
			slowest = i
		}
	}
	res.Slowest = workloads[slowest].Name

	// Profile blocks: all run, the slowest workload's under the profiler.
	var profFile *os.File
	for ; k < len(schedule); k++ {
		b := schedule[k]
		profile := cfg.ProfileDir != "" && b.w == slowest
		if profile && profFile == nil {
			if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
				return nil, err
			}
			res.Profile = filepath.Join(cfg.ProfileDir, workloads[slowest].Name+".prof")
			if profFile, err = os.Create(res.Profile); err != nil {
				return nil, err
			}
			runtime.GC()
			if err := pprof.StartCPUProfile(profFile); err != nil {
				return nil, err
			}
		}
		out, _, _, err := e.execBlock(blockTxs(k))
		if err != nil {
			return nil, err
		}
		if err := checkCodes(out, a.Height); err != nil {
			return nil, fmt.Errorf("%s (profile block): %w", workloads[b.w].Name, err)
		}
		if profFile != nil && (k+1 == len(schedule) || schedule[k+1].w != slowest) {
			pprof.StopCPUProfile()
			if err := profFile.Close(); err != nil {
				return nil, err
			}
			profFile = nil
		}
	}
	res.Height = a.Height
	return res, nil
}

func countMeasured(schedule []scheduled) int {
	n := 0
	for _, b := range schedule {
		if b.measure {
			n++
		}
	}
	return n
}

// selectWorkloads returns the baseline first, then the named workloads (all
// when names is empty) in registry order.
func selectWorkloads(names []string) ([]*Workload, error) {
	var out []*Workload
	known := map[string]bool{}
	for _, mk := range Registry {
		w := mk()
		known[w.Name] = true
		if w.Name == Baseline || len(names) == 0 || slices.Contains(names, w.Name) {
			out = append(out, w)
		}
	}
	for _, n := range names {
		if !known[n] {
			return nil, fmt.Errorf("unknown workload %q (known: %s)", n, strings.Join(Names(), ", "))
		}
	}
	if len(out) == 0 || out[0].Name != Baseline {
		return nil, errors.New("the baseline workload must come first in Registry")
	}
	return out, nil
}

// setupMarket registers the providers (each with one large data unit) and
// the consumers.
func setupMarket(e *Env) error {
	var txs []Tx
	for _, p := range e.Providers {
		txs = append(txs, Tx{Signer: p, Msg: txgen.ProviderMsg(p.Addr, 1_000_000_000)})
	}
	if _, err := e.Deliver("register providers", txs); err != nil {
		return err
	}
	txs = txs[:0]
	for _, p := range e.Providers {
		txs = append(txs, Tx{Signer: p, Msg: txgen.UnitMsg(p.Addr, 100_000_000, "https://s3.bench.example/unit")})
	}
	results, err := e.Deliver("create data units", txs)
	if err != nil {
		return err
	}
	for i, r := range results {
		var resp orchestratortypes.MsgCreateDataUnitResponse
		if err := unpackResponse(e, r, &resp); err != nil {
			return fmt.Errorf("unit of provider %d: %w", i, err)
		}
		e.Units = append(e.Units, resp.UnitId)
	}
	txs = txs[:0]
	for _, c := range e.Consumers {
		txs = append(txs, Tx{Signer: c, Msg: txgen.ConsumerMsg(c.Addr)})
	}
	_, err = e.Deliver("register consumers", txs)
	return err
}

// simulateGas simulates the workload's first transaction and returns the
// gas limit its transactions carry: 1.5 × the simulated gas + 10,000,
// rounded up to a thousand.
func simulateGas(e *Env, w *Workload) (uint64, error) {
	tx := w.Tx(e, 0, 0)
	bz, err := txgen.Sign(e.TxCfg, apptest.ChainID, tx.Signer, tx.Signer.Seq, 10_000_000, "", tx.Msg)
	if err != nil {
		return 0, err
	}
	info, _, err := e.App.Simulate(bz)
	if err != nil {
		return 0, err
	}
	limit := info.GasUsed*3/2 + 10_000
	return (limit + 999) / 1000 * 1000, nil
}
