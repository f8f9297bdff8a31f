// Package scaling runs the modules' Go benchmarks of per-block work and
// queries at growing sizes (`go test -run '^$' -bench … -benchtime Nx`),
// parses their output, and computes the ratio between the largest and the
// smallest size of each benchmark (100k/1k deals, 150/4 validators, …).
package scaling

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/flashbacknetwork/flashbackd/tools/bench/report"
)

// Spec is one `go test -bench` invocation.
type Spec struct {
	// Name labels the spec in logs and filters.
	Name string
	// Pkg is the package pattern, relative to the repository root.
	Pkg string
	// Bench is the -bench regular expression; Smoke the one of a quick run
	// (small sizes only); "" in Smoke skips the spec in quick runs.
	Bench, Smoke string
	// Skip is the -skip regular expression, if any: benchmarks that Bench
	// matches but another spec runs (with its own Benchtime).
	Skip string
	// Benchtime is the -benchtime (Nx: a fixed number of iterations, so that
	// what runs does not depend on timing).
	Benchtime string
	// Count is the -count (default 1). With more than one run, each metric
	// of a benchmark is the median of its runs: for calls of microseconds,
	// one run can absorb a whole garbage collection, and the median of
	// several does not (benchstat's method).
	Count int
	// Optional specs are skipped, with a note, when their package has no
	// benchmark matching DetectFuncs (e.g. not written yet).
	Optional    bool
	DetectFuncs *regexp.Regexp
}

// Specs are the benchmarks of `make bench-scaling`. To add one, add a spec;
// every benchmark in x/reputation is picked up as soon as it exists.
var Specs = []Spec{
	// Hooks with nothing due take tens of microseconds a call, so a run of
	// 1,000 calls is a few garbage collections long and one of them decides
	// it: many calls, and the median of several runs (see Count): five for
	// x/reputation, whose setup is cheap; three of 20,000 calls for the
	// orchestrator, whose 100k setups take minutes but are built once and
	// reused by the three runs, which Go makes back to back. (One run of
	// 20,000 calls gave 100k/1k ratios of 1.12, 1.27 and 1.70 in three full
	// runs of the same hook, with identical gas.)
	{Name: "orchestrator end-block, nothing due", Pkg: "./x/orchestrator/keeper",
		Bench: "^BenchmarkEndBlockNothingDue$", Smoke: "^BenchmarkEndBlockNothingDue$/^deals=1000$", Benchtime: "20000x", Count: 3},
	{Name: "orchestrator end-block, 1000 due", Pkg: "./x/orchestrator/keeper",
		Bench: "^BenchmarkEndBlockDue$", Smoke: "^BenchmarkEndBlockDue$/^deals=1000$", Benchtime: "10x"},
	{Name: "orchestrator marketplace query", Pkg: "./x/orchestrator/keeper",
		Bench: "^BenchmarkMarketplaceQuery$", Smoke: "^BenchmarkMarketplaceQuery$/^units=1000$", Benchtime: "2000x"},
	{Name: "oracle PrepareProposal / ProcessProposal / PreBlocker", Pkg: "./x/oracle/abci",
		Bench: "^BenchmarkOracleBlock$", Smoke: "^BenchmarkOracleBlock$/^validators=4$", Benchtime: "50x"},
	{Name: "oracle prober", Pkg: "./x/oracle/prober",
		Bench: "^Benchmark", Smoke: "^BenchmarkSnapshot$", Benchtime: "50x"},
	// x/reputation: every benchmark of the module (epoch hook, Leaderboard
	// query, …) as soon as one exists, but the end-block ones (specs of
	// their own, below); quick runs keep sizes of 1000.
	{Name: "reputation benchmarks (epoch, leaderboard, …)", Pkg: "./x/reputation/...",
		Bench: "^Benchmark", Smoke: "^Benchmark/=1000$", Skip: reputationEndBlock, Benchtime: "1000x",
		Optional: true, DetectFuncs: regexp.MustCompile(`(?m)^func Benchmark\w*\(`)},
	{Name: "reputation end-block, nothing due", Pkg: "./x/reputation/keeper",
		Bench: "^BenchmarkEndBlockNothingDue$", Smoke: "^BenchmarkEndBlockNothingDue$/^providers=1000$", Benchtime: "10000x", Count: 5},
	{Name: "reputation end-block, 200 ratings ageing", Pkg: "./x/reputation/keeper",
		Bench: "^BenchmarkEndBlockRatingsDue$", Smoke: "^BenchmarkEndBlockRatingsDue$/^providers=1000$", Benchtime: "50x"},
	{Name: "reputation end-block, reward round (assess, pay)", Pkg: "./x/reputation/keeper",
		Bench: "^BenchmarkEndBlockRewardRound$", Smoke: "^BenchmarkEndBlockRewardRound$/^providers=1000$", Benchtime: "50x"},
	// x/orchestrator SLA rounds: one capped block, and a whole round block
	// by block (once: at 100k deals it is ~500 blocks).
	{Name: "orchestrator SLA round, one block", Pkg: "./x/orchestrator/keeper",
		Bench: "^BenchmarkSlaEpochBlock$", Smoke: "^BenchmarkSlaEpochBlock$/^deals=1000$", Benchtime: "20x"},
	{Name: "orchestrator SLA round, whole epoch", Pkg: "./x/orchestrator/keeper",
		Bench: "^BenchmarkSlaEpochWhole$", Smoke: "^BenchmarkSlaEpochWhole$/^deals=1000$", Benchtime: "1x"},
}

// reputationEndBlock are the x/reputation benchmarks with specs of their own.
const reputationEndBlock = "^BenchmarkEndBlock(NothingDue|RatingsDue|RewardRound)$"

// Result is one benchmark line of `go test -bench` output.
type Result struct {
	Pkg        string `json:"pkg"`
	Name       string `json:"name"`
	Iterations int64  `json:"iterations"`
	// Metrics by unit: ns/op, B/op, allocs/op and custom ones (gas/op, …).
	Metrics map[string]float64 `json:"metrics"`
}

var (
	benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)
	pkgLine   = regexp.MustCompile(`^pkg:\s+(\S+)`)
)

// Parse reads `go test -bench` output.
func Parse(r io.Reader) []Result {
	var out []Result
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := pkgLine.FindStringSubmatch(line); m != nil {
			pkg = m[1]
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, err := strconv.ParseInt(m[3], 10, 64)
		if err != nil {
			continue
		}
		fields := strings.Fields(m[4])
		res := Result{Pkg: pkg, Name: m[1], Iterations: n, Metrics: map[string]float64{}}
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			res.Metrics[fields[i+1]] = v
		}
		if len(res.Metrics) > 0 {
			out = append(out, res)
		}
	}
	return out
}

// Medians merges the runs of each benchmark (-count): one result per
// package and name, in the order of first appearance, each metric the
// median of its runs (the mean of the middle two for an even count), the
// iterations summed.
func Medians(results []Result) []Result {
	type key struct{ pkg, name string }
	var order []key
	runs := map[key][]Result{}
	for _, r := range results {
		k := key{r.Pkg, r.Name}
		if _, seen := runs[k]; !seen {
			order = append(order, k)
		}
		runs[k] = append(runs[k], r)
	}
	out := make([]Result, 0, len(order))
	for _, k := range order {
		rs := runs[k]
		merged := Result{Pkg: k.pkg, Name: k.name, Metrics: map[string]float64{}}
		values := map[string][]float64{}
		for _, r := range rs {
			merged.Iterations += r.Iterations
			for unit, v := range r.Metrics {
				values[unit] = append(values[unit], v)
			}
		}
		for unit, vs := range values {
			merged.Metrics[unit] = median(vs)
		}
		out = append(out, merged)
	}
	return out
}

func median(vs []float64) float64 {
	sorted := slices.Clone(vs)
	slices.Sort(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Run runs specs from the repository root, streaming go test's output to
// raw, and returns the parsed results, notes (skipped specs) and errors
// (failed specs; the others still run).
func Run(root string, specs []Spec, smoke bool, raw io.Writer) (results []Result, notes, errs []string) {
	for _, s := range specs {
		bench := s.Bench
		benchtime := s.Benchtime
		if smoke {
			if s.Smoke == "" {
				notes = append(notes, fmt.Sprintf("%s: skipped in a quick run", s.Name))
				continue
			}
			bench, benchtime = s.Smoke, "1x"
		}
		if s.DetectFuncs != nil && !hasBenchmarks(root, s.Pkg, s.DetectFuncs) {
			if s.Optional {
				notes = append(notes, fmt.Sprintf("%s: no benchmark in %s yet, skipped", s.Name, s.Pkg))
				continue
			}
		}
		args := []string{"test", "-run", "^$", "-bench", bench}
		if s.Skip != "" {
			args = append(args, "-skip", s.Skip)
		}
		count := 1
		if s.Count > 1 && !smoke {
			count = s.Count
		}
		args = append(args, "-benchtime", benchtime, "-count", strconv.Itoa(count), "-timeout", "120m", s.Pkg)
		fmt.Fprintf(raw, "== %s: go %s\n", s.Name, strings.Join(args, " "))
		var buf bytes.Buffer
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Stdout = io.MultiWriter(&buf, raw)
		cmd.Stderr = io.MultiWriter(&buf, raw)
		err := cmd.Run()
		parsed := Medians(Parse(&buf))
		results = append(results, parsed...)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: go test failed: %v", s.Name, err))
		} else if len(parsed) == 0 {
			msg := fmt.Sprintf("%s: no benchmark matched %q in %s", s.Name, bench, s.Pkg)
			if s.Optional {
				notes = append(notes, msg)
			} else {
				errs = append(errs, msg)
			}
		}
	}
	return results, notes, errs
}

// hasBenchmarks reports whether a _test.go file under the package pattern
// declares a function matching re.
func hasBenchmarks(root, pkg string, re *regexp.Regexp) bool {
	dir := filepath.Join(root, strings.TrimSuffix(strings.TrimSuffix(pkg, "..."), "/"))
	recursive := strings.HasSuffix(pkg, "...")
	found := false
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipDir
		}
		if d.IsDir() {
			if path != dir && !recursive {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, "_test.go") {
			if bz, err := os.ReadFile(path); err == nil && re.Match(bz) {
				found = true
			}
		}
		return nil
	})
	return found
}

// sizeParam finds the size parameters of a benchmark name. The first
// key=N element ("deals=N", "units=N", "validators=N", "providers=N", …) is
// the size of the row. A later one is a size too when its key is in
// sizeKeys: it grows with the first ("deals=N/units=N"), so it is left out
// of the group key as well; any other ("due=1000") is fixed and part of it.
var (
	sizeParam = regexp.MustCompile(`([a-z_]+)=(\d+)`)
	sizeKeys  = map[string]bool{"deals": true, "units": true, "providers": true, "validators": true, "entries": true}
)

// sizeOf returns a benchmark name's size and its group key: the name with
// its sizes replaced by "*".
func sizeOf(name string) (size int64, key string, ok bool) {
	ms := sizeParam.FindAllStringSubmatchIndex(name, -1)
	if ms == nil {
		return 0, "", false
	}
	size, err := strconv.ParseInt(name[ms[0][4]:ms[0][5]], 10, 64)
	if err != nil {
		return 0, "", false
	}
	var b strings.Builder
	last := 0
	for i, m := range ms {
		if i == 0 || sizeKeys[name[m[2]:m[3]]] {
			b.WriteString(name[last:m[4]])
			b.WriteString("*")
			last = m[5]
		}
	}
	b.WriteString(name[last:])
	return size, b.String(), true
}

// Rows turns results into report rows: time per call (µs), custom metrics
// (gas/op, ns/deal-closed, …), and on the largest size of each benchmark
// its ratio to the smallest (e.g. 100000/1000).
func Rows(results []Result) []report.Row {
	// Group the results that differ only in their size parameter.
	type group struct {
		small, large       int // indexes in results
		smallSize, largeSz int64
	}
	groups := map[string]*group{}
	for i, r := range results {
		n, key, ok := sizeOf(r.Name)
		if !ok {
			continue
		}
		k := r.Pkg + " " + key
		g, ok := groups[k]
		if !ok {
			groups[k] = &group{small: i, large: i, smallSize: n, largeSz: n}
			continue
		}
		if n < g.smallSize {
			g.small, g.smallSize = i, n
		}
		if n > g.largeSz {
			g.large, g.largeSz = i, n
		}
	}
	ratioOf := map[int]*group{}
	for _, g := range groups {
		if g.small != g.large {
			ratioOf[g.large] = g
		}
	}

	var rows []report.Row
	for i, r := range results {
		name := strings.TrimPrefix(r.Pkg, "github.com/flashbacknetwork/flashbackd/") + " " + strings.TrimPrefix(r.Name, "Benchmark")
		for _, unit := range metricOrder(r.Metrics) {
			v := r.Metrics[unit]
			row := report.Row{Name: name, Value: v, Unit: unit}
			if unit == "ns/op" {
				row.Value, row.Unit = v/1000, "µs/call"
			}
			if g, ok := ratioOf[i]; ok {
				if sv := results[g.small].Metrics[unit]; sv > 0 {
					row = row.WithRatio(v/sv, fmt.Sprintf("%d/%d", g.largeSz, g.smallSize))
				}
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// metricOrder lists ns/op first, then the others sorted.
func metricOrder(m map[string]float64) []string {
	var units []string
	for u := range m {
		if u != "ns/op" {
			units = append(units, u)
		}
	}
	sort.Strings(units)
	if _, ok := m["ns/op"]; ok {
		units = append([]string{"ns/op"}, units...)
	}
	return units
}
