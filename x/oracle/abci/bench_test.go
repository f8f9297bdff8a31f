package abci_test

import (
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// BenchmarkOracleBlock measures the oracle's work per block at the maximum
// extension size (MaxMeasurements per validator) for growing validator sets:
// the proposer's PrepareProposal, every node's ProcessProposal, and the
// PreBlocker aggregation of a window's end. Run with
//
//	go test ./x/oracle/abci -run '^$' -bench OracleBlock -benchtime 20x
func BenchmarkOracleBlock(b *testing.B) {
	for _, n := range []int{4, 50, 100, 150} {
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			h := newHarness(b, 1, n, oracletypes.MaxMeasurements, func(p *oracletypes.Params) {
				p.MaxUnitsPerWindow = oracletypes.MaxMeasurements
			})
			// Reach a window end with every unit assigned.
			for {
				h.block(0, h.emptyLocalOrSigned())
				if ext := h.extensionFor(0, h.height(), 100); ext != nil {
					break
				}
			}
			voted := h.height()
			exts := make([][]byte, n)
			for i := range exts {
				exts[i] = h.extensionFor(i, voted, 100)
			}
			local := h.commit(voted, allCommit(n), exts)
			txs := h.prepareProposal(0, local)
			commit := h.decode(txs[0])
			b.Logf("%d validators: extension %d bytes, payload %d bytes", n, len(exts[0]), len(txs[0]))

			b.Run("prepare", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					h.prepareProposal(0, local)
				}
			})
			b.Run("process", func(b *testing.B) {
				last := lastCommit(local)
				for i := 0; i < b.N; i++ {
					if h.processProposal(0, txs, last) != accept {
						b.Fatal("rejected")
					}
				}
			})
			// The PreBlocker as it runs on a node that accepted the block in
			// ProcessProposal: the payload comes decoded from there.
			b.Run("preblock", func(b *testing.B) {
				a := h.apps[0]
				ctx := a.Ctx().WithBlockHeight(voted + 1)
				ctx = ctx.WithConsensusParams(a.GetConsensusParams(ctx))
				req := &abci.RequestFinalizeBlock{Height: voted + 1, Txs: txs}
				last := lastCommit(local)
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					if h.processProposal(0, txs, last) != accept {
						b.Fatal("rejected")
					}
					cacheCtx, _ := ctx.CacheContext()
					b.StartTimer()
					if _, err := a.PreBlocker(cacheCtx, req); err != nil {
						b.Fatal(err)
					}
					if i == 0 {
						b.StopTimer()
						requireRecorded(b, a, ctx, cacheCtx)
						b.StartTimer()
					}
				}
			})
			// The aggregation alone, decoding every extension itself (a node
			// that did not process the proposal, e.g. in block sync).
			b.Run("preblock-cold", func(b *testing.B) {
				a := h.apps[0]
				ctx := a.Ctx().WithBlockHeight(voted + 1)
				for i := 0; i < b.N; i++ {
					cacheCtx, _ := ctx.CacheContext()
					if err := a.OracleKeeper.ApplyExtendedCommit(cacheCtx, commit, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// emptyLocalOrSigned is the local commit for the next height: signed empty
// extensions once they are due, none before.
func (h *harness) emptyLocalOrSigned() abci.ExtendedCommitInfo {
	next := h.height() + 1
	if next <= enableHeight {
		return h.emptyLocal()
	}
	return h.commit(next-1, allCommit(len(h.keys)), make([][]byte, len(h.keys)))
}

// requireRecorded fails the benchmark if the PreBlocker wrote no QoS record
// into ctx that base did not have: a benchmark of a PreBlocker that returned
// early would measure nothing.
func requireRecorded(b *testing.B, a *apptest.TestApp, base, ctx sdk.Context) {
	b.Helper()
	count := func(ctx sdk.Context) int {
		keys, err := a.OracleKeeper.RecordsByWindow.Iterate(ctx, nil)
		require.NoError(b, err)
		all, err := keys.Keys()
		require.NoError(b, err)
		return len(all)
	}
	require.Greater(b, count(ctx), count(base), "the PreBlocker recorded nothing")
}
