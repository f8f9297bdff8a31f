// Command loadgen sends signed orchestrator and bank transactions at a set
// rate to a local flashbackd network (scripts/localnet.sh, 127.0.0.1 only)
// for a fixed time, then stops by itself and reports committed tx/s, time
// to inclusion (p50/p99), failed transactions by code (CheckTx and
// DeliverTx) and block times.
//
//	N=4 scripts/localnet.sh start
//	go run ./tools/cmd/loadgen --rate 250 --duration 60s
//
// Setup (not measured): the load accounts — deterministic secp256k1 keys
// derived from --seed — are funded from the localnet's `spare` account
// (MsgMultiSend), registered as consumers and given a running deal each; the
// `provider` account registers (if needed) and creates --units data units
// whose endpoint is a probe target served by loadgen on 127.0.0.1, so that
// the validators' probers measure something. Measured phase: a mix of
// MsgRequestDeal, MsgTopUpDeal and MsgSend (--mix), each account with its
// own sequence, always sent to the same node (accounts are spread over the
// nodes); on a sequence mismatch the account takes the sequence CheckTx
// expected and goes on (counted). Inclusion is measured by following node0's
// blocks and matching transaction hashes.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	"github.com/flashbacknetwork/flashbackd/tools/bench/report"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// startCPUProfile starts a CPU profile written to path (none when path is
// empty) and returns the function that stops it.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// defaultNodes are the RPC addresses of `make localnet`'s n nodes (node i
// listens on base+10i+1), and defaultMetrics their Prometheus metrics
// (base+10i+5).
func defaultNodes(base, n int) string {
	return localURLs(base, n, 1, "")
}

func defaultMetrics(base, n int) string {
	return localURLs(base, n, 5, "/metrics")
}

func localURLs(base, n, offset int, path string) string {
	var urls []string
	for i := 0; i < n; i++ {
		urls = append(urls, fmt.Sprintf("http://127.0.0.1:%d%s", base+10*i+offset, path))
	}
	return strings.Join(urls, ",")
}

func run() error {
	rate := flag.Float64("rate", 250, "transactions per second to send")
	duration := flag.Duration("duration", 60*time.Second, "how long to send")
	accounts := flag.Int("accounts", 200, "sender accounts (each keeps its own sequence)")
	home := flag.String("home", ".localnet", "the localnet directory (LOCALNET_DIR): keys are read from homes/node0/{spare,provider}_seed.json")
	nodes := flag.String("nodes", defaultNodes(26600, 4), "comma-separated CometBFT RPC addresses (127.0.0.1 only)")
	metrics := flag.String("metrics", defaultMetrics(26600, 4), "comma-separated CometBFT Prometheus addresses (127.0.0.1 only) for the consensus rows; empty: none")
	mixFlag := flag.String("mix", "request=45,topup=40,send=15", "share of each kind of transaction")
	seed := flag.String("seed", "flashbackd-loadgen", "seed of the load accounts' keys")
	fund := flag.Int64("fund", 100_000_000, "uflash each load account is funded with (from spare) when it holds less than half")
	units := flag.Int("units", 4, "data units the provider creates for the run")
	drain := flag.Duration("drain", 30*time.Second, "how long to wait for pending transactions after sending stops")
	// Gas limits at about 1.5 × the gas used (what `--gas auto
	// --gas-adjustment 1.5` wallets sign with): the proposer counts gas
	// wanted against the block gas limit, so looser limits mean fewer txs
	// per block.
	gasRequest := flag.Uint64("gas-request", 170_000, "gas limit of MsgRequestDeal (uses ~113k)")
	gasTopUp := flag.Uint64("gas-topup", 130_000, "gas limit of MsgTopUpDeal (uses ~86k)")
	gasSend := flag.Uint64("gas-send", 100_000, "gas limit of MsgSend (uses ~66k)")
	out := flag.String("out", "bench/network.json", "JSON output (a report section)")
	cpuProfile := flag.String("cpuprofile", "", "write loadgen's own CPU profile of the measured phase to this file")
	flag.Parse()

	if *rate <= 0 || *duration <= 0 || *accounts < 2 || *units < 1 {
		return fmt.Errorf("--rate, --duration, --units must be positive and --accounts at least 2")
	}
	m, err := parseMix(*mixFlag)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...) }

	var ns []*node
	for _, raw := range strings.Split(*nodes, ",") {
		n, err := newNode(strings.TrimSpace(raw))
		if err != nil {
			return err
		}
		ns = append(ns, n)
	}
	var metricsURLs []string
	for _, raw := range strings.Split(*metrics, ",") {
		if raw = strings.TrimSpace(raw); raw == "" {
			continue
		}
		u, err := checkLocal(raw)
		if err != nil {
			return err
		}
		metricsURLs = append(metricsURLs, u)
	}
	// Stop cleanly on ^C: the context cancels every request.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	status, err := ns[0].client.Status(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w (is the localnet running?)", ns[0].url, err)
	}
	txCfg, err := txgen.NewTxConfig()
	if err != nil {
		return err
	}
	g := &gen{txCfg: txCfg, chainID: status.NodeInfo.Network, nodes: ns, logf: logf}
	logf("chain %s at height %d, %d nodes", g.chainID, status.SyncInfo.LatestBlockHeight, len(ns))

	spare, err := loadSeed(*home, "spare")
	if err != nil {
		return err
	}
	provider, err := loadSeed(*home, "provider")
	if err != nil {
		return err
	}
	loads := make([]*loadAccount, *accounts)
	for i := range loads {
		loads[i] = &loadAccount{Account: txgen.NewAccount(txgen.DeterministicKey(*seed, i)), node: i % len(ns)}
	}

	// The units' endpoint: a probe target on 127.0.0.1 for the probers.
	_, target := probetarget.Start(probetarget.Behaviour{})
	defer target.Close()

	setupStart := time.Now()
	unitIDs, err := g.setup(ctx, spare, provider, loads, *fund, *units, target.URL+"/unit")
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	logf("setup done in %.0fs; sending %.0f tx/s for %s from %d accounts (mix %s)",
		time.Since(setupStart).Seconds(), *rate, *duration, *accounts, *mixFlag)

	l := &load{g: g, accounts: loads, units: unitIDs, mix: m, st: newStats(), metricsURLs: metricsURLs,
		gas: gasLimits{request: *gasRequest, topUp: *gasTopUp, send: *gasSend}}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	start, sendEnd, end := l.run(ctx, *rate, *duration, *drain, 1)
	stopProfile()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := l.settle(ctx); err != nil {
		return fmt.Errorf("reading the results of the load's blocks: %w", err)
	}
	rows, details := l.rows(start, sendEnd, end, *rate, *duration)
	rows = append(rows, metricRows(l.metricsAt[0], l.metricsAt[1])...)
	rows = append(rows, oracleRows(ctx, ns[0], unitIDs)...)

	sec := report.NewSection("network")
	sec.Add(rows...)
	sec.Notes = append(sec.Notes, fmt.Sprintf("%d validators (vote extensions on, probers running), %d accounts, mix %s, target %.0f tx/s for %s",
		len(ns), *accounts, *mixFlag, *rate, *duration))
	details["config"] = map[string]any{"rate": *rate, "duration": duration.String(), "accounts": *accounts, "nodes": *nodes,
		"mix": *mixFlag, "units": unitIDs, "gas": map[string]uint64{"request": *gasRequest, "topup": *gasTopUp, "send": *gasSend}}
	sec.Details = details
	report.PrintTable(os.Stdout, sec.Rows)
	if *out != "" {
		return report.WriteJSON(*out, sec)
	}
	return nil
}
