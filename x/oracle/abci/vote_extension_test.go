package abci_test

import (
	"context"
	"math"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
	"github.com/flashbacknetwork/flashbackd/x/oracle/prober"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// fakeProber serves a fixed cache, records what it was told, and can panic.
type fakeProber struct {
	enabled bool
	cache   []prober.Measurement
	window  uint64
	targets []prober.Target
	started bool
	panicky bool
}

func (p *fakeProber) Enabled() bool         { return p.enabled }
func (p *fakeProber) Start(context.Context) { p.started = true }
func (p *fakeProber) SetAssignment(w uint64, t []prober.Target) {
	p.window, p.targets = w, t
}

func (p *fakeProber) Snapshot(w uint64) []prober.Measurement {
	if p.panicky {
		panic("cache exploded")
	}
	if w != p.window {
		return nil
	}
	return p.cache
}

func TestExtendVote(t *testing.T) {
	h := newHarness(t, 1, 4, 3)
	h.run(4, 100, nil, nil, nil)
	a := h.apps[0]
	assignment, ok, err := a.OracleKeeper.CurrentAssignment(a.Ctx())
	require.NoError(t, err)
	require.True(t, ok)
	require.Len(t, assignment.Units, 3)

	fp := &fakeProber{enabled: true, cache: []prober.Measurement{
		{UnitID: assignment.Units[0].UnitId, LatencyMs: 12, UptimeBps: 10_000, Checks: 2},
		{UnitID: assignment.Units[2].UnitId, LatencyMs: 30, UptimeBps: 9_000, Checks: 2},
		{UnitID: 999, LatencyMs: 1, Checks: 1}, // not assigned: dropped
	}}
	handler := oracleabci.NewVoteExtensionHandler(log.NewNopLogger(), a.OracleKeeper, fp, "")
	extend := func(height int64) []byte {
		res, err := handler.ExtendVote()(a.Ctx().WithBlockHeight(height), &abci.RequestExtendVote{Height: height})
		require.NoError(t, err)
		return res.VoteExtension
	}

	// Inside the window but before its end: empty, and the prober learns the assignment.
	require.Empty(t, extend(assignment.StartHeight))
	require.True(t, fp.started, "the prober starts with the first vote")
	require.Equal(t, assignment.Window, fp.window)
	require.Len(t, fp.targets, 3)

	// At the window's end: the cached measurements of assigned units, valid.
	ext := extend(assignment.EndHeight)
	ve, err := oracletypes.DecodeVoteExtension(ext, assignment.EndHeight)
	require.NoError(t, err)
	require.Equal(t, assignment.Window, ve.Window)
	require.Len(t, ve.Measurements, 2)
	require.Equal(t, uint32(12), ve.Measurements[0].LatencyMs)

	// Empty cache, disabled prober, panicking prober: an empty extension, no error.
	fp.cache = nil
	require.Empty(t, extend(assignment.EndHeight))
	fp.cache = []prober.Measurement{{UnitID: assignment.Units[0].UnitId, Checks: 1}}
	fp.panicky = true
	require.Empty(t, extend(assignment.EndHeight))
	fp.panicky = false
	fp.enabled = false
	require.Empty(t, extend(assignment.EndHeight))

	// The fault switch produces garbage that VerifyVoteExtension rejects.
	faulty := oracleabci.NewVoteExtensionHandler(log.NewNopLogger(), a.OracleKeeper, fp, oracleabci.FaultGarbageExtensions)
	res, err := faulty.ExtendVote()(a.Ctx(), &abci.RequestExtendVote{Height: assignment.EndHeight})
	require.NoError(t, err)
	verdict, err := handler.VerifyVoteExtension()(a.Ctx(), &abci.RequestVerifyVoteExtension{Height: assignment.EndHeight, VoteExtension: res.VoteExtension})
	require.NoError(t, err)
	require.Equal(t, abci.ResponseVerifyVoteExtension_REJECT, verdict.Status)

	// The extreme fault reports every assigned unit at the ends of the
	// ranges, even with the prober off, in an extension that other
	// validators accept; before the window's end it votes empty.
	fp.enabled = false
	extreme := oracleabci.NewVoteExtensionHandler(log.NewNopLogger(), a.OracleKeeper, fp, oracleabci.FaultExtremeExtensions)
	res, err = extreme.ExtendVote()(a.Ctx(), &abci.RequestExtendVote{Height: assignment.StartHeight})
	require.NoError(t, err)
	require.Empty(t, res.VoteExtension)
	res, err = extreme.ExtendVote()(a.Ctx(), &abci.RequestExtendVote{Height: assignment.EndHeight})
	require.NoError(t, err)
	verdict, err = handler.VerifyVoteExtension()(a.Ctx(), &abci.RequestVerifyVoteExtension{Height: assignment.EndHeight, VoteExtension: res.VoteExtension})
	require.NoError(t, err)
	require.Equal(t, abci.ResponseVerifyVoteExtension_ACCEPT, verdict.Status)
	ve, err = oracletypes.DecodeVoteExtension(res.VoteExtension, assignment.EndHeight)
	require.NoError(t, err)
	require.Len(t, ve.Measurements, len(assignment.Units))
	for i, m := range ve.Measurements {
		require.Equal(t, assignment.Units[i].UnitId, m.UnitId)
		require.Equal(t, uint32(math.MaxUint32), m.LatencyMs)
		require.Equal(t, uint64(math.MaxUint64), m.DownloadKbps)
		require.Zero(t, m.UploadKbps)
		require.Zero(t, m.UptimeBps)
		require.Equal(t, uint32(oracletypes.MaxBasisPoints), m.ErrorRateBps)
	}

	require.True(t, oracleabci.ValidFault(""))
	require.True(t, oracleabci.ValidFault(oracleabci.FaultExtremeExtensions))
	require.False(t, oracleabci.ValidFault("garbage"))
}
