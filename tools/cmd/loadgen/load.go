package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	"github.com/flashbacknetwork/flashbackd/tools/bench/report"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// loadAccount is a sender: its key and sequence, the node it always sends
// to (so that its transactions reach one mempool in sequence order) and its
// running deal.
type loadAccount struct {
	*txgen.Account
	node int
	deal uint64
}

// Kinds of measured transactions.
const (
	kindRequest = "request-deal"
	kindTopUp   = "top-up-deal"
	kindSend    = "bank-send"
)

// mix is the share of each kind in the measured traffic (percent).
type mix struct {
	kinds   []string
	weights []int
}

func parseMix(s string) (mix, error) {
	var m mix
	total := 0
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		var weight int
		if _, err := fmt.Sscan(w, &weight); !ok || err != nil || weight < 0 {
			return m, fmt.Errorf("--mix: %q is not kind=weight", part)
		}
		switch name {
		case "request":
			name = kindRequest
		case "topup":
			name = kindTopUp
		case "send":
			name = kindSend
		default:
			return m, fmt.Errorf("--mix: unknown kind %q (request, topup, send)", name)
		}
		m.kinds = append(m.kinds, name)
		m.weights = append(m.weights, weight)
		total += weight
	}
	if total == 0 {
		return m, fmt.Errorf("--mix: weights sum to 0")
	}
	return m, nil
}

func (m mix) pick(rng *rand.Rand) string {
	total := 0
	for _, w := range m.weights {
		total += w
	}
	x := rng.IntN(total)
	for i, w := range m.weights {
		if x < w {
			return m.kinds[i]
		}
		x -= w
	}
	return m.kinds[len(m.kinds)-1]
}

// Gas limits of measured transactions (about 1.5 × what they use; see
// `make bench-throughput` for the gas used).
type gasLimits struct{ request, topUp, send uint64 }

type pendingTx struct {
	sentAt time.Time
	kind   string
}

// includedTx is a load transaction found in a block: the block's index in
// stats.blocks and the transaction's index in the block.
type includedTx struct {
	pendingTx
	block, index int
	observed     time.Time
}

type blockInfo struct {
	height   int64
	time     time.Time // header time
	observed time.Time // when the tracker saw it executed
	txs      int       // all transactions
	ours     int       // load transactions
	ok       int       // load transactions with code 0 (known after settle)
}

// stats are the counts of the measured phase.
type stats struct {
	mu          sync.Mutex
	pending     map[string]pendingTx
	included    []includedTx
	attempts    int
	accepted    int
	noAccount   int
	rpcErrors   int
	rpcErrKinds map[string]int // rpcErrors by rpcErrorKind
	resyncs     int
	checkFail   map[string]int
	deliverFail map[string]int
	okTotal     int
	okInWindow  int
	okByKind    map[string]int
	latencies   []float64 // ms, committed with code 0
	lastOK      time.Time
	blocks      []blockInfo
	gasUsed     map[string]int64
}

func newStats() *stats {
	return &stats{pending: map[string]pendingTx{}, checkFail: map[string]int{}, deliverFail: map[string]int{},
		okByKind: map[string]int{}, gasUsed: map[string]int64{}, rpcErrKinds: map[string]int{}}
}

// load is the measured phase.
type load struct {
	g        *gen
	accounts []*loadAccount
	units    []uint64
	mix      mix
	gas      gasLimits
	st       *stats
	windowAt time.Time // end of the sending window

	// The nodes' Prometheus metrics, read when sending starts and when it
	// stops (metrics.go); empty when the nodes serve none.
	metricsURLs []string
	metricsAt   [2][]nodeMetrics
}

// recordMetrics takes reading i of the nodes' metrics. A network without
// metrics loses the consensus rows, not the run.
func (l *load) recordMetrics(ctx context.Context, i int) {
	if len(l.metricsURLs) == 0 {
		return
	}
	m, err := readMetrics(ctx, l.g.nodes[0].http, l.metricsURLs)
	if err != nil {
		l.g.logf("metrics: %v (no consensus rows)", err)
		l.metricsURLs = nil
		l.metricsAt = [2][]nodeMetrics{}
		return
	}
	l.metricsAt[i] = m
}

func (l *load) buildMsg(a *loadAccount, kind string, k int) (sdk.Msg, uint64) {
	switch kind {
	case kindRequest:
		return txgen.DealMsg(a.Addr, l.units[k%len(l.units)], 1, txgen.Month), l.gas.request
	case kindTopUp:
		return &orchestratortypes.MsgTopUpDeal{Consumer: a.Addr.String(), DealId: a.deal, Amount: sdk.NewInt64Coin(app.BondDenom, 1_000)}, l.gas.topUp
	default:
		to := l.accounts[(k+len(l.accounts)/2)%len(l.accounts)]
		return banktypes.NewMsgSend(a.Addr, to.Addr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000))), l.gas.send
	}
}

// send signs and broadcasts one transaction of a at its sequence.
func (l *load) send(ctx context.Context, a *loadAccount, kind string, k int) {
	msg, gas := l.buildMsg(a, kind, k)
	bz, err := txgen.Sign(l.g.txCfg, l.g.chainID, a.Account, a.Seq, gas, "", msg)
	if err != nil {
		panic(err) // a bug, not a load condition
	}
	hash := txHash(bz)
	st := l.st
	st.mu.Lock()
	st.attempts++
	// Registered before the broadcast: the block may come before the reply.
	st.pending[hash] = pendingTx{sentAt: time.Now(), kind: kind}
	st.mu.Unlock()

	n := l.g.nodes[a.node]
	res, err := n.client.BroadcastTxSync(ctx, bz)
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case err != nil:
		// Unknown whether it reached the mempool: keep the sequence; a
		// mismatch on the next one resynchronises.
		st.rpcErrors++
		st.rpcErrKinds[rpcErrorKind(err)]++
		delete(st.pending, hash)
	case res.Code == 0:
		st.accepted++
		a.Seq++
	default:
		delete(st.pending, hash)
		st.checkFail[fmt.Sprintf("%s/%d", res.Codespace, res.Code)]++
		if res.Codespace == codespaceSDK && res.Code == codeWrongSequence {
			st.resyncs++
			if seq, ok := expectedSequence(res.Log); ok {
				a.Seq = seq
			} else {
				st.mu.Unlock()
				_ = n.syncAccount(ctx, a.Account)
				st.mu.Lock()
			}
		}
	}
}

// rpcErrorKind names a broadcast's RPC error for the report: CometBFT's
// mempool refusals by their reason, a timeout, or the error's last part.
func rpcErrorKind(err error) string {
	msg := err.Error()
	for _, known := range []string{"mempool is full", "tx already exists in cache", "too large"} {
		if strings.Contains(msg, known) {
			return known
		}
	}
	var netErr interface{ Timeout() bool }
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return "timeout"
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if len(msg) > 60 {
		msg = msg[:60]
	}
	return msg
}

// track follows node0's executed blocks until stop is closed, matching their
// transactions with the pending ones. It reads only the blocks: their
// results are read by settle, after the load. Encoding a loaded block's
// results (every event of every transaction) took a tenth of node0's CPU,
// on the cores the validators under test share, and a load generator should
// not weigh on what it measures.
func (l *load) track(ctx context.Context, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	n := l.g.nodes[0]
	last, err := n.executedHeight(ctx)
	if err != nil {
		l.g.logf("tracker: %v", err)
		return
	}
	ticker := time.NewTicker(25 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
		executed, err := n.executedHeight(ctx)
		if err != nil {
			continue
		}
		observed := time.Now()
		for h := last + 1; h <= executed; h++ {
			if err := l.processBlock(ctx, h, observed); err != nil {
				l.g.logf("tracker: height %d: %v", h, err)
				break
			}
			last = h
		}
	}
}

// processBlock records which pending transactions block h includes.
func (l *load) processBlock(ctx context.Context, h int64, observed time.Time) error {
	block, err := l.g.nodes[0].block(ctx, h)
	if err != nil {
		return err
	}
	st := l.st
	st.mu.Lock()
	defer st.mu.Unlock()
	info := blockInfo{height: h, time: block.time, observed: observed, txs: len(block.hashes)}
	for i, hash := range block.hashes {
		p, ok := st.pending[hash]
		if !ok {
			continue
		}
		delete(st.pending, hash)
		info.ours++
		st.included = append(st.included, includedTx{pendingTx: p, block: len(st.blocks), index: i, observed: observed})
	}
	st.blocks = append(st.blocks, info)
	return nil
}

// settle reads the results of the blocks that included load transactions
// and counts each transaction as committed (code 0) or failed.
func (l *load) settle(ctx context.Context) error {
	st := l.st
	st.mu.Lock()
	defer st.mu.Unlock()
	results := make(map[int][]txResult)
	for _, tx := range st.included {
		b := &st.blocks[tx.block]
		res, ok := results[tx.block]
		if !ok {
			var err error
			if res, err = l.g.nodes[0].results(ctx, b.height, b.txs); err != nil {
				return err
			}
			results[tx.block] = res
		}
		r := res[tx.index]
		if r.code != 0 {
			st.deliverFail[fmt.Sprintf("%s/%d", r.codespace, r.code)]++
			continue
		}
		b.ok++
		st.okTotal++
		st.okByKind[tx.kind]++
		st.gasUsed[tx.kind] += r.gasUsed
		if !tx.observed.After(l.windowAt) {
			st.okInWindow++
		}
		st.latencies = append(st.latencies, float64(tx.observed.Sub(tx.sentAt).Microseconds())/1000)
		if tx.observed.After(st.lastOK) {
			st.lastOK = tx.observed
		}
	}
	return nil
}

// run sends at rate for duration, then waits up to drain for the pending
// transactions.
func (l *load) run(ctx context.Context, rate float64, duration, drain time.Duration, seed uint64) (start, sendEnd, end time.Time) {
	free := make(chan *loadAccount, len(l.accounts))
	for _, a := range l.accounts {
		free <- a
	}
	rng := rand.New(rand.NewPCG(seed, 0x10ad))
	stop, done := make(chan struct{}), make(chan struct{})
	go l.track(ctx, stop, done)

	l.recordMetrics(ctx, 0)
	start = time.Now()
	l.windowAt = start.Add(duration)
	interval := time.Duration(float64(time.Second) / rate)
	var wg sync.WaitGroup
	for k := 0; ; k++ {
		at := start.Add(time.Duration(k) * interval)
		if !at.Before(l.windowAt) {
			break
		}
		time.Sleep(time.Until(at))
		kind := l.mix.pick(rng)
		select {
		case a := <-free:
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				l.send(ctx, a, kind, k)
				free <- a
			}(k)
		default:
			l.st.mu.Lock()
			l.st.noAccount++
			l.st.mu.Unlock()
		}
	}
	wg.Wait()
	sendEnd = time.Now()
	l.recordMetrics(ctx, 1)
	deadline := sendEnd.Add(drain)
	for time.Now().Before(deadline) {
		l.st.mu.Lock()
		left := len(l.st.pending)
		l.st.mu.Unlock()
		if left == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// One more look for the last block.
	time.Sleep(100 * time.Millisecond)
	close(stop)
	<-done
	return start, sendEnd, time.Now()
}

// rows summarises the run as report rows.
func (l *load) rows(start, sendEnd, end time.Time, target float64, duration time.Duration) ([]report.Row, map[string]any) {
	st := l.st
	st.mu.Lock()
	defer st.mu.Unlock()
	secs := duration.Seconds()
	var rows []report.Row
	add := func(name string, v float64, unit, note string) {
		rows = append(rows, report.Row{Name: name, Value: v, Unit: unit, Note: note})
	}
	add("offered load", float64(st.attempts)/secs, "tx/s", fmt.Sprintf("target %.0f tx/s for %.0fs; %d sent, %d skipped (no free account)", target, secs, st.attempts, st.noAccount))
	add("accepted by CheckTx", float64(st.accepted), "txs", "")
	add("committed (code 0) within the window", float64(st.okInWindow)/secs, "tx/s", fmt.Sprintf("%d txs", st.okInWindow))
	total := st.okTotal
	span := st.lastOK.Sub(start).Seconds()
	note := fmt.Sprintf("%d txs over %.1fs (to the last inclusion)", total, span)
	if total == 0 {
		span = 1
	}
	add("committed (code 0) including drain", float64(total)/span, "tx/s", note)
	warmup := min(10*time.Second, duration/4)
	if s, ok := steadyRate(st.blocks, start.Add(warmup), l.windowAt); ok {
		add("committed (code 0) in steady state", s.rate, "tx/s", fmt.Sprintf("%d txs in %d blocks over %.1fs of header time, after a %.0fs warm-up, to the window's end",
			s.txs, s.blocks, s.span.Seconds(), warmup.Seconds()))
	}
	for _, kind := range []string{kindRequest, kindTopUp, kindSend} {
		if c := st.okByKind[kind]; c > 0 {
			add("committed "+kind, float64(c), "txs", fmt.Sprintf("%.0f gas/tx", float64(st.gasUsed[kind])/float64(c)))
		}
	}
	add("time to inclusion p50", report.Percentile(st.latencies, 50), "ms", "broadcast → block seen on node0 (25 ms polling)")
	add("time to inclusion p99", report.Percentile(st.latencies, 99), "ms", "")
	add("time to inclusion mean", report.Mean(st.latencies), "ms", "")
	add("not included after drain", float64(len(st.pending)), "txs", fmt.Sprintf("drain %.1fs", end.Sub(sendEnd).Seconds()))
	var kinds []string
	for _, kind := range sortedKeys(st.rpcErrKinds) {
		kinds = append(kinds, fmt.Sprintf("%s: %d", kind, st.rpcErrKinds[kind]))
	}
	add("RPC errors", float64(st.rpcErrors), "txs", strings.Join(kinds, ", "))
	add("sequence resyncs", float64(st.resyncs), "txs", "CheckTx sequence mismatches, resynchronised")
	for _, code := range sortedKeys(st.checkFail) {
		add("failed CheckTx "+code, float64(st.checkFail[code]), "txs", "codespace/code")
	}
	for _, code := range sortedKeys(st.deliverFail) {
		add("failed DeliverTx "+code, float64(st.deliverFail[code]), "txs", "codespace/code")
	}
	if len(st.checkFail) == 0 {
		add("failed CheckTx", 0, "txs", "")
	}
	if len(st.deliverFail) == 0 {
		add("failed DeliverTx", 0, "txs", "")
	}

	// Blocks committed during the sending window (header times).
	var window []blockInfo
	for _, b := range st.blocks {
		if !b.observed.Before(start) && !b.observed.After(l.windowAt.Add(time.Second)) {
			window = append(window, b)
		}
	}
	var intervals, txsPerBlock []float64
	maxTxs := 0
	for i, b := range window {
		txsPerBlock = append(txsPerBlock, float64(b.txs))
		maxTxs = max(maxTxs, b.txs)
		if i > 0 {
			intervals = append(intervals, float64(b.time.Sub(window[i-1].time).Microseconds())/1000)
		}
	}
	add("blocks in the window", float64(len(window)), "blocks", "")
	add("block interval mean", report.Mean(intervals), "ms", "header times")
	add("block interval p50", report.Percentile(intervals, 50), "ms", "")
	add("block interval p99", report.Percentile(intervals, 99), "ms", "")
	add("txs per block mean", report.Mean(txsPerBlock), "txs", fmt.Sprintf("max %d", maxTxs))

	blocks := make([]map[string]any, 0, len(st.blocks))
	for _, b := range st.blocks {
		blocks = append(blocks, map[string]any{"height": b.height, "time": b.time, "txs": b.txs, "ours": b.ours, "ok": b.ok})
	}
	details := map[string]any{
		"attempts": st.attempts, "accepted": st.accepted, "committed_ok": st.okTotal, "committed_ok_in_window": st.okInWindow,
		"check_failures": st.checkFail, "deliver_failures": st.deliverFail, "not_included": len(st.pending),
		"rpc_errors": st.rpcErrors, "rpc_error_kinds": st.rpcErrKinds, "sequence_resyncs": st.resyncs, "skipped_no_free_account": st.noAccount,
		"committed_by_kind": st.okByKind, "blocks": blocks,
	}
	return rows, details
}

// steady is the committed rate over a run of consecutive blocks.
type steady struct {
	rate   float64
	txs    int
	blocks int
	span   time.Duration
}

// steadyRate is the rate at which the blocks seen executed between from and
// to committed load transactions: the code-0 load transactions of every
// such block but the first, over the header time from the first to the
// last. Unlike the window's count it neither counts the ramp-up (no block
// before the first transaction) nor misses the transactions still in
// flight when sending stops, so a chain that keeps up with the offered
// load shows that load.
func steadyRate(blocks []blockInfo, from, to time.Time) (steady, bool) {
	var in []blockInfo
	for _, b := range blocks {
		if !b.observed.Before(from) && !b.observed.After(to) {
			in = append(in, b)
		}
	}
	if len(in) < 2 {
		return steady{}, false
	}
	s := steady{blocks: len(in) - 1, span: in[len(in)-1].time.Sub(in[0].time)}
	for _, b := range in[1:] {
		s.txs += b.ok
	}
	if s.span <= 0 {
		return steady{}, false
	}
	s.rate = float64(s.txs) / s.span.Seconds()
	return s, true
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
