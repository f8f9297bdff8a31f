package throughput

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHarness runs every workload at a tiny size: it checks that the setup,
// the sequences and the signatures are right (every transaction must
// succeed), not how fast anything is. The measurement is `make
// bench-throughput`.
func TestHarness(t *testing.T) {
	res, err := Run(Config{Dir: t.TempDir(), Accounts: 24, TxsPerBlock: 6, Rounds: 1, SetupBlockTxs: 50,
		ProfileBlocks: 1, ProfileDir: t.TempDir()})
	require.NoError(t, err)
	require.Len(t, res.Workloads, len(Registry))
	for _, w := range res.Workloads {
		require.Positive(t, w.Txs, w.Name)
		require.Positive(t, w.GasPerTx, w.Name)
		require.Less(t, w.GasPerTx, float64(w.GasLimit), w.Name)
	}
	require.Equal(t, Baseline, res.Workloads[0].Name)
	require.Equal(t, 1.0, res.Workloads[0].TimeRatio)
	require.FileExists(t, res.Profile)
}

func TestSelectWorkloads(t *testing.T) {
	ws, err := selectWorkloads([]string{"top-up-deal"})
	require.NoError(t, err)
	require.Len(t, ws, 2)
	require.Equal(t, Baseline, ws[0].Name)
	_, err = selectWorkloads([]string{"nope"})
	require.Error(t, err)
}
