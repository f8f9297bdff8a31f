// Package simulation drives x/oracle in the SDK's simulation (simsx):
// random params, self-reports, the refusal of a user-sent payload message,
// parameter changes through governance, and (qos_feed.go) the validators'
// QoS reports that the simulator's FinalizeBlock cannot carry.
package simulation

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// RandomParams returns valid params. Windows of 2–20 blocks end many times
// in a run, and summary buckets of 30 min to 3 h fit inside the simulated
// SLA epochs (3 h to 2 days), so that verdicts read agreed QoS.
func RandomParams(r *rand.Rand) types.Params {
	p := types.DefaultParams()
	p.WindowBlocks = uint64(2 + r.Intn(19))
	p.MaxUnitsPerWindow = uint32(1 + r.Intn(types.MaxMeasurements))
	p.RecordRetentionWindows = uint64(1 + r.Intn(100))
	p.SummaryBucketDuration = simutil.DurationBetween(r, 30*time.Minute, 3*time.Hour)
	p.SummaryRetention = simutil.DurationBetween(r, p.SummaryBucketDuration, 30*24*time.Hour)
	p.SelfReportMinInterval = simutil.DurationBetween(r, 0, 2*24*time.Hour)
	p.SelfReportRetention = simutil.DurationBetween(r, time.Hour, 10*24*time.Hour)
	p.MaxPrunePerBlock = uint32(1 + r.Intn(100))
	p.OutlierRelativeBps = uint32(1 + r.Intn(10_000))
	p.OutlierAbsoluteBps = uint32(1 + r.Intn(types.MaxBasisPoints))
	if err := p.Validate(); err != nil {
		panic(fmt.Errorf("random oracle params are invalid: %w", err))
	}
	return p
}

// RandomizedGenState writes a genesis with random params (the oracle's
// records and assignments start empty on a new chain).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand)
	if err := gs.Validate(); err != nil {
		panic(fmt.Errorf("random oracle genesis is invalid: %w", err))
	}
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
