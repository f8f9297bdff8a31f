package keeper_test

import (
	"slices"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// assignment returns the current assignment of the committed state.
func (f *fixture) assignment() types.Assignment {
	a, ok, err := f.app.OracleKeeper.CurrentAssignment(f.app.Ctx())
	require.NoError(f.t, err)
	require.True(f.t, ok)
	return a
}

func unitIDsOf(a types.Assignment) []uint64 {
	ids := make([]uint64, len(a.Units))
	for i, u := range a.Units {
		ids[i] = u.UnitId
	}
	return ids
}

// TestAssignmentSamplesLiveUnits: each window draws 3 distinct live units
// of 7, sorted by id, from the window's seed; over 30 windows every unit
// is drawn; a decommissioned unit never is again; the seed's entropy never
// stays in committed state.
func TestAssignmentSamplesLiveUnits(t *testing.T) {
	f := newFixture(t, 7, nil)
	k := f.app.OracleKeeper
	f.app.NextBlock(t) // window 0 was assigned before the units existed
	seen := map[uint64]int{}
	check := func(live []uint64) {
		a := f.assignment()
		ids := unitIDsOf(a)
		require.Len(t, ids, 3, "window %d", a.Window)
		require.True(t, slices.IsSorted(ids))
		require.Len(t, slices.Compact(slices.Clone(ids)), 3, "distinct")
		for _, id := range ids {
			require.Contains(t, live, id, "window %d drew a unit that is not live", a.Window)
			seen[id]++
		}
		// apptest blocks have no oracle payload and no hash: the fallback
		// entropy (the block hash) is empty.
		seed := types.AssignmentSeed(nil, a.Window)
		require.Equal(t, seed[:], a.Seed)
		n := 0
		require.NoError(t, k.AssignmentEntropy.Walk(f.app.Ctx(), nil, func(int64, []byte) (bool, error) { n++; return false, nil }))
		require.Zero(t, n, "the entropy is consumed in the block that records it")
		f.app.CheckInvariants(t)
	}
	for i := 0; i < 30; i++ {
		f.app.NextBlock(t)
		f.app.NextBlock(t)
		check(f.units)
	}
	for _, id := range f.units {
		require.Positive(t, seen[id], "unit %d was never drawn in 30 windows", id)
	}

	_, err := f.orch.DecommissionDataUnit(f.app.Ctx(), &orchtypes.MsgDecommissionDataUnit{Provider: f.provider.String(), UnitId: 1})
	require.NoError(t, err)
	clear(seen)
	for i := 0; i < 20; i++ {
		f.app.NextBlock(t)
		f.app.NextBlock(t)
		check(f.units[1:])
	}
	require.Zero(t, seen[1], "the decommissioned unit is never drawn")

	res, err := f.queries.Assignment(f.app.Ctx(), &types.QueryAssignmentRequest{})
	require.NoError(t, err)
	require.Equal(t, res.CurrentWindow, res.Assignment.Window)
	require.Equal(t, res.Assignment.StartHeight+1, res.Assignment.EndHeight)
	require.Len(t, res.Assignment.Seed, 32)
	_, err = f.queries.Assignment(f.app.Ctx(), &types.QueryAssignmentRequest{Window: res.CurrentWindow - 1})
	require.NoError(t, err)
	_, err = f.queries.Assignment(f.app.Ctx(), &types.QueryAssignmentRequest{Window: res.CurrentWindow - 2})
	require.Equal(t, codes.NotFound, status.Code(err), "only the current and previous windows are kept")
}

// signedCommit is an extended commit whose votes carry the given
// vote-extension signatures (validator "v0", "v1", ...).
func signedCommit(sigs ...string) abci.ExtendedCommitInfo {
	var c abci.ExtendedCommitInfo
	for i, sig := range sigs {
		c.Votes = append(c.Votes, abci.ExtendedVoteInfo{
			Validator: abci.Validator{Address: []byte{'v', byte('0' + i)}, Power: 1}, BlockIdFlag: cmtproto.BlockIDFlagCommit,
			ExtensionSignature: []byte(sig),
		})
	}
	return c
}

// TestNextAssignmentIsDrawnFromTheEndOfTheWindow: the units of window w+1
// are drawn from the extended commit that the last block of window w
// carries, and from nothing older. Two chains identical until that block
// but for its commit's signatures draw different units; two chains whose
// histories differ (earlier assignments, records) but whose last block of w
// carries the same commit draw the same units. So nobody can compute the
// assignment of w+1 before the precommits of the window's next-to-last
// height are cast, and what happened in earlier windows does not tell.
func TestNextAssignmentIsDrawnFromTheEndOfTheWindow(t *testing.T) {
	f := newFixture(t, 40, func(p *types.Params) { p.WindowBlocks = 4 })
	k := f.app.OracleKeeper
	f.app.NextBlock(t)
	for f.app.Height+1 < f.assignment().EndHeight {
		f.app.NextBlock(t)
	}
	current := f.assignment()
	last := current.EndHeight // the next block is the window's last
	atLast := func() sdk.Context {
		ctx, _ := f.app.NewUncachedContext(false, cmtproto.Header{ChainID: "flashback-apptest-1", Height: last, Time: f.app.Time}).CacheContext()
		return ctx
	}
	// drawNext runs what the last block of the window runs: the PreBlocker's
	// aggregation (which keeps the commit's entropy), then EndBlock's
	// assignment.
	drawNext := func(ctx sdk.Context, commit abci.ExtendedCommitInfo) types.Assignment {
		require.NoError(t, k.ApplyExtendedCommit(ctx, commit, nil))
		require.NoError(t, k.AdvanceWindow(ctx))
		a, err := k.Assignments.Get(ctx, current.Window+1)
		require.NoError(t, err)
		has, err := k.AssignmentEntropy.Has(ctx, last)
		require.NoError(t, err)
		require.False(t, has, "the entropy was consumed")
		return a
	}

	commitA, commitB := signedCommit("sig-a0", "sig-a1"), signedCommit("sig-a0", "sig-b1")
	a := drawNext(atLast(), commitA)
	b := drawNext(atLast(), commitB)
	require.Len(t, a.Units, 3)
	require.Len(t, b.Units, 3)
	seedA := types.AssignmentSeed(types.CommitEntropy(commitA), current.Window+1)
	require.Equal(t, seedA[:], a.Seed)
	require.NotEqual(t, a.Seed, b.Seed)
	require.NotEqual(t, unitIDsOf(a), unitIDsOf(b), "one signature of the last commit changes the draw")

	// Another history up to the window's last block: different units were
	// assigned in the current window and recorded for the previous one.
	other := atLast()
	rewritten := current
	rewritten.Units = []types.AssignedUnit{{UnitId: 40, Provider: f.provider.String(), Endpoint: "https://elsewhere.example/u"}}
	require.NoError(t, k.Assignments.Set(other, current.Window, rewritten))
	require.NoError(t, k.WriteRecordForTest(other, types.QoSRecord{UnitId: 7, Window: current.Window - 1, Provider: f.provider.String(), Time: f.app.Time}))
	require.Equal(t, unitIDsOf(a), unitIDsOf(drawNext(other, commitA)), "the same end of window draws the same units")

	// A commit arriving in a block that does not end the window leaves no
	// entropy behind: only the last block's commit is ever used.
	before, _ := f.app.NewUncachedContext(false, cmtproto.Header{ChainID: "flashback-apptest-1", Height: last - 1, Time: f.app.Time}).CacheContext()
	require.NoError(t, k.ApplyExtendedCommit(before, commitA, nil))
	n := 0
	require.NoError(t, k.AssignmentEntropy.Walk(before, nil, func(int64, []byte) (bool, error) { n++; return false, nil }))
	require.Zero(t, n)
}
