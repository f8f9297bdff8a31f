package scaling

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
pkg: github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper
cpu: Some CPU
BenchmarkEndBlockDue/deals=1000/due=1000-2         	      10	 200000000 ns/op	    200000 ns/deal-closed
BenchmarkEndBlockDue/deals=100000/due=1000-2       	      10	1800000000 ns/op	   1800000 ns/deal-closed
BenchmarkEndBlockNothingDue/deals=1000-2         	    1000	    100000 ns/op
BenchmarkEndBlockNothingDue/deals=10000-2         	    1000	    150000 ns/op
BenchmarkEndBlockNothingDue/deals=100000-2         	    1000	    300000 ns/op
BenchmarkEndBlockNothingDue/deals=1000/units=1000-2         	    1000	    200000 ns/op
BenchmarkEndBlockNothingDue/deals=100000/units=100000-2     	    1000	   1000000 ns/op
PASS
pkg: github.com/flashbacknetwork/flashbackd/x/oracle/prober
BenchmarkSnapshot   	      50	   1400 ns/op	    9488 B/op	       2 allocs/op
--- FAIL: BenchmarkBroken
ok  	github.com/flashbacknetwork/flashbackd/x/oracle/prober	0.097s
pkg: github.com/flashbacknetwork/flashbackd/x/reputation/keeper
BenchmarkEndBlockRewardRound/providers=1000/phase=assess-2         	      50	   10000000 ns/op	   3671553 gas/op
BenchmarkEndBlockRewardRound/providers=1000/phase=pay-2            	      50	   20000000 ns/op	   5083383 gas/op
BenchmarkEndBlockRewardRound/providers=100000/phase=assess-2       	      50	   40000000 ns/op	   3685062 gas/op
BenchmarkEndBlockRewardRound/providers=100000/phase=pay-2          	      50	   30000000 ns/op	   5084727 gas/op
`

func TestParse(t *testing.T) {
	res := Parse(strings.NewReader(sample))
	require.Len(t, res, 12)
	require.Equal(t, "BenchmarkEndBlockDue/deals=1000/due=1000", res[0].Name)
	require.Equal(t, "github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper", res[0].Pkg)
	require.EqualValues(t, 10, res[0].Iterations)
	require.Equal(t, 200000.0, res[0].Metrics["ns/deal-closed"])
	require.Equal(t, "BenchmarkSnapshot", res[7].Name)
	require.Equal(t, "github.com/flashbacknetwork/flashbackd/x/oracle/prober", res[7].Pkg)
	require.Equal(t, 2.0, res[7].Metrics["allocs/op"])
	require.Equal(t, "github.com/flashbacknetwork/flashbackd/x/reputation/keeper", res[8].Pkg)
	require.Equal(t, 3671553.0, res[8].Metrics["gas/op"])
}

func TestRowsRatios(t *testing.T) {
	rows := Rows(Parse(strings.NewReader(sample)))
	byName := map[string][]string{}
	for _, r := range rows {
		ratio := ""
		if r.Ratio != nil {
			ratio = r.RatioOf
			switch {
			case r.Unit == "µs/call" && strings.Contains(r.Name, "deals=100000/due"):
				require.InDelta(t, 9.0, *r.Ratio, 1e-9)
			case r.Unit == "µs/call" && strings.HasSuffix(r.Name, "NothingDue/deals=100000"):
				require.InDelta(t, 3.0, *r.Ratio, 1e-9)
			case r.Unit == "µs/call" && strings.HasSuffix(r.Name, "NothingDue/deals=100000/units=100000"):
				require.InDelta(t, 5.0, *r.Ratio, 1e-9)
			case r.Unit == "µs/call" && strings.HasSuffix(r.Name, "providers=100000/phase=assess"):
				require.InDelta(t, 4.0, *r.Ratio, 1e-9)
			case r.Unit == "µs/call" && strings.HasSuffix(r.Name, "providers=100000/phase=pay"):
				require.InDelta(t, 1.5, *r.Ratio, 1e-9)
			default:
				require.NotEqual(t, "µs/call", r.Unit, "no ratio expected on %s", r.Name)
			}
		}
		byName[r.Name] = append(byName[r.Name], r.Unit+" "+ratio)
	}
	require.Equal(t, []string{"µs/call 100000/1000", "ns/deal-closed 100000/1000"}, byName["x/orchestrator/keeper EndBlockDue/deals=100000/due=1000"])
	require.Equal(t, []string{"µs/call ", "ns/deal-closed "}, byName["x/orchestrator/keeper EndBlockDue/deals=1000/due=1000"])
	require.Equal(t, []string{"µs/call "}, byName["x/orchestrator/keeper EndBlockNothingDue/deals=10000"])
	require.Equal(t, []string{"µs/call 100000/1000"}, byName["x/orchestrator/keeper EndBlockNothingDue/deals=100000"])
	require.Equal(t, []string{"µs/call "}, byName["x/orchestrator/keeper EndBlockNothingDue/deals=1000/units=1000"])
	require.Equal(t, []string{"µs/call 100000/1000"}, byName["x/orchestrator/keeper EndBlockNothingDue/deals=100000/units=100000"])
	require.Equal(t, []string{"µs/call 100000/1000", "gas/op 100000/1000"}, byName["x/reputation/keeper EndBlockRewardRound/providers=100000/phase=pay"])
	require.Equal(t, []string{"µs/call ", "B/op ", "allocs/op "}, byName["x/oracle/prober Snapshot"])
}

func TestSpecsCompile(t *testing.T) {
	for _, s := range Specs {
		for _, re := range strings.Split(s.Bench+"/"+s.Smoke+"/"+s.Skip, "/") {
			_, err := regexp.Compile(re)
			require.NoError(t, err, s.Name)
		}
		require.Regexp(t, `^\d+x$`, s.Benchtime, "fixed iteration counts only: %s", s.Name)
	}
}

func TestSizeOf(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		size      int64
	}{
		{"BenchmarkEndBlockNothingDue/deals=1000", "BenchmarkEndBlockNothingDue/deals=*", 1000},
		{"BenchmarkEndBlockNothingDue/deals=10000/units=10000", "BenchmarkEndBlockNothingDue/deals=*/units=*", 10000},
		{"BenchmarkEndBlockDue/deals=100000/due=1000", "BenchmarkEndBlockDue/deals=*/due=1000", 100000},
		{"BenchmarkOracleBlock/validators=4/prepare", "BenchmarkOracleBlock/validators=*/prepare", 4},
		{"BenchmarkEndBlockRatingsDue/providers=1000/due=200", "BenchmarkEndBlockRatingsDue/providers=*/due=200", 1000},
	} {
		size, key, ok := sizeOf(tc.name)
		require.True(t, ok, tc.name)
		require.Equal(t, tc.size, size, tc.name)
		require.Equal(t, tc.key, key, tc.name)
	}
	_, _, ok := sizeOf("BenchmarkSnapshot")
	require.False(t, ok)
}

func TestHasBenchmarks(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "x", "mod", "keeper")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a_test.go"), []byte("package keeper\n\nfunc BenchmarkEpochScores(b *testing.B) {}\n"), 0o644))
	re := regexp.MustCompile(`(?m)^func Benchmark(Epoch|Leaderboard)\w*\(`)
	require.True(t, hasBenchmarks(root, "./x/mod/...", re))
	require.False(t, hasBenchmarks(root, "./x/mod", re), "not recursive without ...")
	require.True(t, hasBenchmarks(root, "./x/mod/keeper", re))
	require.False(t, hasBenchmarks(root, "./x/other/...", re))
}

func TestMediansMergeRuns(t *testing.T) {
	out := `pkg: example.com/keeper
BenchmarkA/n=1-2   	 100	  30 ns/op	  7 gas/op
BenchmarkB-2       	 100	   5 ns/op
BenchmarkA/n=1-2   	 100	  10 ns/op	  7 gas/op
BenchmarkA/n=1-2   	 100	 900 ns/op	  7 gas/op
BenchmarkB-2       	 100	   9 ns/op
`
	res := Medians(Parse(strings.NewReader(out)))
	require.Len(t, res, 2)
	require.Equal(t, "BenchmarkA/n=1", res[0].Name, "first appearance order")
	require.Equal(t, 30.0, res[0].Metrics["ns/op"], "the median, not the mean (313)")
	require.Equal(t, 7.0, res[0].Metrics["gas/op"])
	require.EqualValues(t, 300, res[0].Iterations)
	require.Equal(t, 7.0, res[1].Metrics["ns/op"], "even count: the mean of the middle two")
	require.Len(t, Medians(Parse(strings.NewReader(sample))), 12, "single runs are unchanged")
}
