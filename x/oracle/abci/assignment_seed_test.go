package abci_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// TestAssignmentSeedIsTheAssigningBlocksCommit drives real blocks (prepare,
// process, finalize, commit on two nodes) and checks that every window
// assigned once vote extensions are on is drawn from the extended commit
// the assigning block carries at tx 0 — the previous height's
// vote-extension signatures — and not from the fallback (the block hash):
// the PreBlocker keeps that entropy and EndBlock uses it, and both nodes
// draw the same units.
func TestAssignmentSeedIsTheAssigningBlocksCommit(t *testing.T) {
	h := newHarness(t, 2, 4, 40, func(p *oracletypes.Params) { p.MaxUnitsPerWindow = 5 })
	commits := map[int64]abci.ExtendedCommitInfo{} // by the height of the block carrying it
	checked := 0
	for h.height() < 20 {
		next := h.height() + 1
		if next <= enableHeight {
			h.block(0, h.emptyLocal())
			continue
		}
		exts := make([][]byte, len(h.keys))
		for i := range h.keys {
			exts[i] = h.extensionFor(i, next-1, 100)
		}
		commits[next] = h.commit(next-1, allCommit(len(h.keys)), exts)
		h.block(int(next)%len(h.apps), commits[next])

		a, ok, err := h.apps[0].OracleKeeper.CurrentAssignment(h.apps[0].Ctx())
		require.NoError(t, err)
		require.True(t, ok)
		if a.StartHeight != next+1 || next <= enableHeight+1 {
			continue // this block did not assign, or carried no payload
		}
		seed := oracletypes.AssignmentSeed(oracletypes.CommitEntropy(commits[next]), a.Window)
		require.Equal(t, seed[:], a.Seed, "window %d assigned at height %d", a.Window, next)
		require.Len(t, a.Units, 5)
		other, _, err := h.apps[1].OracleKeeper.CurrentAssignment(h.apps[1].Ctx())
		require.NoError(t, err)
		require.Equal(t, a, other)
		checked++
	}
	require.GreaterOrEqual(t, checked, 7)
}
