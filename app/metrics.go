package app

import (
	"math/big"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Marketplace metrics for Prometheus. They are read from committed state
// when Prometheus scrapes, through a query context like any gRPC query's:
// nothing runs inside a block and nothing is written, so metrics cannot
// change a block's result. They are exported with the node's other metrics:
// CometBFT's endpoint (config.toml [instrumentation] prometheus = true) and
// the API's /metrics?format=prometheus (app.toml [telemetry] enabled).

// dueBacklogCap bounds the entries one scrape counts in the due queue.
const dueBacklogCap = 100_000

var (
	marketDesc = struct {
		deals, units, escrow, bonds, backlog, height *prometheus.Desc
	}{
		deals: prometheus.NewDesc("flashback_marketplace_deals", "Deals by state (pending, active, overdrawn, closed).", []string{"state"}, nil),
		units: prometheus.NewDesc("flashback_marketplace_data_units", "Data units by state.", []string{"state"}, nil),
		escrow: prometheus.NewDesc("flashback_marketplace_escrow_held_uflash",
			"What the module account holds for deals: escrow plus unwithdrawn earnings, in uflash.", nil, nil),
		bonds: prometheus.NewDesc("flashback_marketplace_bonds_held_uflash", "Provider bonds held, in uflash.", nil, nil),
		backlog: prometheus.NewDesc("flashback_marketplace_due_backlog",
			"Due-queue entries (deal ends, run-dry deals, expiries, retries) due at the last block's time and not yet processed: "+
				"above 0 for long, end-block work is behind (max_due_per_block). Counted up to 100000.", nil, nil),
		height: prometheus.NewDesc("flashback_marketplace_height", "Height of the committed state the marketplace metrics were read from.", nil, nil),
	}

	// metricsApp is the app whose state the collector reads: the last one
	// built to run a node (one per process outside tests).
	metricsApp       atomic.Pointer[App]
	registerMetrics  sync.Once
	registerMetricsE error
)

// enableMetrics makes the marketplace collector read app's state, and
// registers it with Prometheus's default registry once per process.
func enableMetrics(app *App) error {
	metricsApp.Store(app)
	registerMetrics.Do(func() { registerMetricsE = prometheus.Register(marketCollector{}) })
	return registerMetricsE
}

type marketCollector struct{}

func (marketCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{marketDesc.deals, marketDesc.units, marketDesc.escrow, marketDesc.bonds, marketDesc.backlog, marketDesc.height} {
		ch <- d
	}
}

func (marketCollector) Collect(ch chan<- prometheus.Metric) {
	app := metricsApp.Load()
	if app == nil || app.LastBlockHeight() == 0 {
		return
	}
	ctx, err := app.CreateQueryContext(0, false)
	if err != nil {
		return // e.g. the state is being pruned or the node is stopping
	}
	stats, err := app.OrchestratorKeeper.Stats.Get(ctx)
	if err != nil {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for i, n := range stats.DealsByState {
		if i > 0 {
			gauge(marketDesc.deals, float64(n), stateLabel(orchestratortypes.DealState_name[int32(i)], "DEAL_STATE_"))
		}
	}
	for i, n := range stats.UnitsByState {
		if i > 0 {
			gauge(marketDesc.units, float64(n), stateLabel(orchestratortypes.DataUnitState_name[int32(i)], "DATA_UNIT_STATE_"))
		}
	}
	gauge(marketDesc.escrow, intFloat(stats.EscrowHeld))
	gauge(marketDesc.bonds, intFloat(stats.BondsHeld))
	gauge(marketDesc.height, float64(ctx.BlockHeight()))

	iter, err := app.OrchestratorKeeper.DueQueue.Iterate(ctx,
		collections.NewPrefixUntilTripleRange[int64, int32, uint64](ctx.BlockTime().Unix()))
	if err != nil {
		return
	}
	defer iter.Close()
	backlog := 0
	for ; iter.Valid() && backlog < dueBacklogCap; iter.Next() {
		backlog++
	}
	gauge(marketDesc.backlog, float64(backlog))
}

// intFloat is i as a float (metrics need no more than its 53 bits).
func intFloat(i sdkmath.Int) float64 {
	if i.IsNil() {
		return 0
	}
	f, _ := new(big.Float).SetInt(i.BigInt()).Float64()
	return f
}

func stateLabel(name, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(name, prefix))
}
