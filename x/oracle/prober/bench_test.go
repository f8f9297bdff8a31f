package prober

import (
	"context"
	"testing"
	"time"

	"cosmossdk.io/log"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

// BenchmarkCheck measures the prober's own cost of one check of one target
// (3 pings, a download and an upload of the default 256 KiB object) against
// a local probe target with no added latency: CPU and allocations per target
// per check, i.e. the prober's overhead per target. Run with
//
//	go test ./x/oracle/prober -run '^$' -bench Check -benchmem
func BenchmarkCheck(b *testing.B) {
	_, ts := probetarget.Start(probetarget.Behaviour{})
	b.Cleanup(ts.Close)
	cfg := DefaultConfig()
	cfg.Enabled = true
	p := New(cfg, log.NewNopLogger())
	st := p.newTargetState(Target{UnitID: 1, Endpoint: ts.URL + "/unit"}, time.Now())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, aborted := p.runCheck(ctx, st)
		if aborted || !res.up() {
			b.Fatal("check failed")
		}
	}
}

// BenchmarkSnapshot measures ExtendVote's read of the cache with the maximum
// number of targets assigned.
func BenchmarkSnapshot(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Enabled = true
	p := New(cfg, log.NewNopLogger())
	targets := make([]Target, 128)
	for i := range targets {
		targets[i] = Target{UnitID: uint64(i + 1), Endpoint: "http://127.0.0.1:1/u"}
	}
	p.SetAssignment(1, targets)
	p.mu.Lock()
	states := make([]*targetState, 0, len(p.targets))
	for _, st := range p.targets {
		states = append(states, st)
	}
	p.mu.Unlock()
	for _, st := range states {
		p.record(st, p.now(), checkResult{pings: 3, latencies: []time.Duration{time.Millisecond}}, false)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(p.Snapshot(1)) != 128 {
			b.Fatal("snapshot incomplete")
		}
	}
}
