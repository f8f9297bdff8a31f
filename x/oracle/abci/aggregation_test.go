package abci_test

import (
	"bytes"
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// run drives the harness to `until`, each height with all validators
// committing: at window ends, validator i reports latency base+i for every
// assigned unit (reporters[i] false: an empty extension instead).
func (h *harness) run(until int64, base uint32, reporters []bool, proposer func(height int64) int, absent func(height int64) int) [][]byte {
	var last [][]byte
	for h.height() < until {
		next := h.height() + 1
		if next <= enableHeight {
			last = h.block(0, h.emptyLocal())
			continue
		}
		voted := next - 1
		exts := make([][]byte, len(h.keys))
		flags := allCommit(len(h.keys))
		for i := range h.keys {
			if reporters == nil || reporters[i] {
				exts[i] = h.extensionFor(i, voted, base)
			}
		}
		if absent != nil {
			if a := absent(next); a >= 0 {
				flags[a] = cmtproto.BlockIDFlagAbsent
				exts[a] = nil
			}
		}
		p := 0
		if proposer != nil {
			p = proposer(next)
		}
		last = h.block(p, h.commit(voted, flags, exts))
	}
	return last
}

func TestAggregationRecordsTheMedian(t *testing.T) {
	h := newHarness(t, 1, 4, 3)
	h.run(12, 100, nil, nil, nil)
	k := h.apps[0].OracleKeeper
	ctx := h.apps[0].Ctx()
	for _, unit := range h.units {
		rec, ok, err := k.LatestRecord(ctx, unit)
		require.NoError(t, err)
		require.True(t, ok, "unit %d has a record", unit)
		// Latencies 100..103 with equal power: the lower median is 101.
		require.Equal(t, uint32(101), rec.LatencyMs)
		require.Equal(t, uint32(9_998), rec.UptimeBps, "uptimes 9997..10000: the power reaches half at 9998")
		require.Equal(t, uint32(4), rec.Reporters)
		require.Equal(t, int64(4), rec.ReportingPower)
		require.Equal(t, int64(4), rec.TotalPower)
		require.Equal(t, provider.String(), rec.Provider)
	}
	stats, err := k.ReporterStats.Get(ctx, h.address(0))
	require.NoError(t, err)
	require.Positive(t, stats.WindowsReported)

	// One EventQoSRecorded per window end, listing every recorded unit.
	var recorded []*oracletypes.EventQoSRecorded
	for _, ev := range h.events {
		if msg, err := sdk.ParseTypedEvent(ev); err == nil {
			if e, ok := msg.(*oracletypes.EventQoSRecorded); ok {
				recorded = append(recorded, e)
			}
		}
	}
	require.NotEmpty(t, recorded)
	for _, e := range recorded {
		require.Equal(t, h.units, e.UnitIds, "window %d", e.Window)
	}
	for i := 1; i < len(recorded); i++ {
		require.Greater(t, recorded[i].Window, recorded[i-1].Window, "one event per window")
	}
}

func TestNoRecordWithoutTwoThirds(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	// Only two of four validators report: 2/4 < 2/3, no record.
	h.run(12, 100, []bool{true, true, false, false}, nil, nil)
	_, ok, err := h.apps[0].OracleKeeper.LatestRecord(h.apps[0].Ctx(), h.units[0])
	require.NoError(t, err)
	require.False(t, ok, "no update without 2/3 of the power")

	// Three of four: exactly 3/4 ≥ 2/3, recorded.
	h.run(20, 100, []bool{true, true, true, false}, nil, nil)
	rec, ok, err := h.apps[0].OracleKeeper.LatestRecord(h.apps[0].Ctx(), h.units[0])
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, uint32(3), rec.Reporters)
	stats, err := h.apps[0].OracleKeeper.ReporterStats.Get(h.apps[0].Ctx(), h.address(3))
	require.NoError(t, err)
	require.Positive(t, stats.WindowsEmpty)
	require.Zero(t, stats.WindowsReported)
}

func TestOutliersAreCounted(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	h.run(2, 100, nil, nil, nil)
	// Validator 3 reports a latency ten times the others'.
	for h.height() < 12 {
		next := h.height() + 1
		exts := make([][]byte, 4)
		for i := 0; i < 4; i++ {
			base := uint32(100)
			if i == 3 {
				base = 1000
			}
			exts[i] = h.extensionFor(i, next-1, base)
		}
		h.block(0, h.commit(next-1, allCommit(4), exts))
	}
	rec, ok, err := h.apps[0].OracleKeeper.LatestRecord(h.apps[0].Ctx(), h.units[0])
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, uint32(101), rec.LatencyMs, "the outlier does not move the median")
	st, err := h.apps[0].OracleKeeper.ReporterStats.Get(h.apps[0].Ctx(), h.address(3))
	require.NoError(t, err)
	require.Positive(t, st.Outliers)
	st, err = h.apps[0].OracleKeeper.ReporterStats.Get(h.apps[0].Ctx(), h.address(0))
	require.NoError(t, err)
	require.Zero(t, st.Outliers)
}

// TestDeterminismAcrossNodes runs four nodes; every height another node
// proposes, from a local commit in which another validator is absent, so
// that each proposer sees a different valid subset of extensions. After
// every block all nodes must have the same app hash.
func TestDeterminismAcrossNodes(t *testing.T) {
	h := newHarness(t, 4, 4, 5)
	for h.height() < 30 {
		next := h.height() + 1
		hashes := h.run(next, 90, nil,
			func(height int64) int { return int(height % 4) },
			func(height int64) int { return int((height + 1) % 4) })
		for n := 1; n < len(hashes); n++ {
			require.True(t, bytes.Equal(hashes[0], hashes[n]), "height %d: node %d's app hash differs", next, n)
		}
	}
	// And the nodes did agree on QoS along the way.
	for _, a := range h.apps {
		_, ok, err := a.OracleKeeper.LatestRecord(a.Ctx(), h.units[0])
		require.NoError(t, err)
		require.True(t, ok)
	}
}

// TestSameStateWithoutProcessProposal: the PreBlocker of a node that
// accepted the block in ProcessProposal reuses the extensions decoded there;
// a node that did not (block sync) decodes them itself. Both must reach the
// same app hash at every height, window ends included.
func TestSameStateWithoutProcessProposal(t *testing.T) {
	h := newHarness(t, 2, 4, 3)
	h.skipProcess = map[int]bool{1: true}
	for h.height() < 16 {
		next := h.height() + 1
		hashes := h.run(next, 100, nil, nil, nil)
		require.True(t, bytes.Equal(hashes[0], hashes[1]), "height %d: the app hashes differ", next)
	}
	for _, a := range h.apps {
		rec, ok, err := a.OracleKeeper.LatestRecord(a.Ctx(), h.units[0])
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, uint32(101), rec.LatencyMs)
	}
}
