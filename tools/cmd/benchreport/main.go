// Command benchreport runs the in-process parts of the performance harness
// and merges every part into one table (see docs/PERFORMANCE.md):
//
//	benchreport throughput [flags]   FinalizeBlock+Commit throughput per message type
//	benchreport scaling [flags]      per-block and query benchmarks at growing sizes
//	benchreport merge [flags] FILE…  one table of every part, and bench/results.json
//
// The network part is tools/cmd/loadgen. `make bench` runs them all.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/tools/bench/report"
	"github.com/flashbacknetwork/flashbackd/tools/bench/scaling"
	"github.com/flashbacknetwork/flashbackd/tools/bench/throughput"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "throughput":
		err = runThroughput(os.Args[2:])
	case "scaling":
		err = runScaling(os.Args[2:])
	case "merge":
		err = runMerge(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: benchreport throughput|scaling|merge [flags]; -h for the flags of each")
	os.Exit(2)
}

func runThroughput(args []string) error {
	def := throughput.DefaultConfig()
	fs := flag.NewFlagSet("throughput", flag.ExitOnError)
	accounts := fs.Int("accounts", def.Accounts, "funded genesis accounts (public keys set); the first txs-per-block are providers")
	perBlock := fs.Int("txs-per-block", def.TxsPerBlock, "transactions per measured block")
	rounds := fs.Int("rounds", def.Rounds, "measured blocks per workload (the bank baseline runs one before each)")
	setupBlock := fs.Int("setup-block-txs", def.SetupBlockTxs, "transactions per setup block")
	workloads := fs.String("workloads", "", "comma-separated workloads (default all: "+strings.Join(throughput.Names(), ", ")+")")
	dir := fs.String("dir", "", "directory of the goleveldb database (default: a temporary one, removed)")
	profileDir := fs.String("profile-dir", "", "write a CPU profile of the slowest workload to DIR/<workload>.prof and print its top functions")
	profileBlocks := fs.Int("profile-blocks", def.ProfileBlocks, "extra (unmeasured) blocks per workload; the slowest's are profiled")
	out := fs.String("out", "bench/throughput.json", "JSON output (a report section)")
	_ = fs.Parse(args)

	cfg := throughput.Config{
		Dir: *dir, Accounts: *accounts, TxsPerBlock: *perBlock, Rounds: *rounds, SetupBlockTxs: *setupBlock,
		ProfileDir: *profileDir, ProfileBlocks: *profileBlocks, Log: os.Stderr,
	}
	if *profileDir == "" {
		cfg.ProfileBlocks = 0
	}
	if *workloads != "" {
		cfg.Workloads = strings.Split(*workloads, ",")
	}
	res, err := throughput.Run(cfg)
	if err != nil {
		return err
	}
	sec := report.NewSection("throughput")
	sec.Add(ThroughputRows(res)...)
	sec.Notes = append(sec.Notes,
		fmt.Sprintf("%d accounts, %d txs per block, %d measured blocks (%d txs), interleaved with the bank-send baseline; every tx code 0",
			res.Config.Accounts, res.Config.TxsPerBlock, res.MeasuredBlocks, res.MeasuredTxs),
		fmt.Sprintf("setup %.0fs and signing %.0fs outside the measurement; final height %d", res.SetupSeconds, res.SignSeconds, res.Height),
		"slowest workload: "+res.Slowest)
	details := map[string]any{"result": res}
	if res.Profile != "" {
		flat, cum := pprofTop(res.Profile)
		fmt.Fprintf(os.Stderr, "\nCPU profile of %s (%d unmeasured blocks): %s\n%s\n%s\n", res.Slowest, cfg.ProfileBlocks, res.Profile, flat, cum)
		details["profile_top_flat"] = strings.Split(flat, "\n")
		details["profile_top_cum"] = strings.Split(cum, "\n")
		sec.Notes = append(sec.Notes, "CPU profile: "+res.Profile)
	}
	sec.Details = details
	report.PrintTable(os.Stdout, sec.Rows)
	return report.WriteJSON(*out, sec)
}

// ThroughputRows are the table rows of a throughput result.
func ThroughputRows(res *throughput.Result) []report.Row {
	var rows []report.Row
	for _, w := range res.Workloads {
		commitUs := w.CommitSeconds * 1e6 / float64(w.Txs)
		rows = append(rows,
			report.Row{Name: w.Name + " throughput", Value: w.TxPerSec, Unit: "tx/s",
				Note: fmt.Sprintf("%d txs, %d blocks, blocks %.0f–%.0f tx/s", w.Txs, w.Blocks, w.MinBlockTxPerSec, w.MaxBlockTxPerSec)},
			report.Row{Name: w.Name + " time", Value: w.MicrosPerTx, Unit: "µs/tx"}.WithRatio(w.TimeRatio, throughput.Baseline+" (time)"),
			report.Row{Name: w.Name + " gas", Value: w.GasPerTx, Unit: "gas/tx", Note: fmt.Sprintf("limit %d; a %d-gas block fits %d", w.GasLimit, app.DefaultBlockMaxGas, w.FitPerBlock)}.
				WithRatio(w.GasRatio, throughput.Baseline+" (gas)"),
			report.Row{Name: w.Name + " FinalizeBlock share", Value: 100 * w.FinalizeShare, Unit: "%",
				Note: fmt.Sprintf("Commit %.0f%%, %.1f µs/tx", 100*(1-w.FinalizeShare), commitUs)},
		)
	}
	return rows
}

// pprofTop prints the top functions of a profile, flat and cumulative.
func pprofTop(path string) (flat, cum string) {
	run := func(extra ...string) string {
		args := append([]string{"tool", "pprof", "-top", "-nodecount=25"}, extra...)
		out, err := exec.Command("go", append(args, path)...).CombinedOutput()
		if err != nil {
			return fmt.Sprintf("go tool pprof failed: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	return run(), run("-cum")
}

func runScaling(args []string) error {
	fs := flag.NewFlagSet("scaling", flag.ExitOnError)
	out := fs.String("out", "bench/scaling.json", "JSON output (a report section)")
	raw := fs.String("raw", "bench/scaling.txt", "go test output")
	smoke := fs.Bool("smoke", false, "quick check: the smallest size of each benchmark, one iteration")
	filter := fs.String("filter", "", "run only the specs whose name matches this regular expression")
	_ = fs.Parse(args)

	root, err := repoRoot()
	if err != nil {
		return err
	}
	specs := scaling.Specs
	if *filter != "" {
		re, err := regexp.Compile(*filter)
		if err != nil {
			return err
		}
		specs = nil
		for _, s := range scaling.Specs {
			if re.MatchString(s.Name) {
				specs = append(specs, s)
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(*raw), 0o755); err != nil {
		return err
	}
	rawFile, err := os.Create(*raw)
	if err != nil {
		return err
	}
	defer rawFile.Close()
	start := time.Now()
	results, notes, errs := scaling.Run(root, specs, *smoke, io.MultiWriter(rawFile, os.Stderr))
	sec := report.NewSection("scaling")
	sec.Add(scaling.Rows(results)...)
	sec.Notes = append(notes, fmt.Sprintf("ran in %.0fs; go test output in %s", time.Since(start).Seconds(), *raw))
	if *smoke {
		sec.Notes = append(sec.Notes, "quick run: smallest sizes, one iteration each")
	}
	sec.Errors = errs
	sec.Details = results
	report.PrintTable(os.Stdout, sec.Rows)
	for _, e := range errs {
		fmt.Fprintln(os.Stderr, "scaling:", e)
	}
	if err := report.WriteJSON(*out, sec); err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d benchmark runs failed", len(errs))
	}
	return nil
}

func runMerge(args []string) error {
	fs := flag.NewFlagSet("merge", flag.ExitOnError)
	out := fs.String("out", "bench/results.json", "merged JSON output")
	_ = fs.Parse(args)
	var sections []report.Section
	for _, path := range fs.Args() {
		s, err := report.ReadSection(path)
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "benchreport: %s missing, skipped\n", path)
			continue
		}
		if err != nil {
			return err
		}
		sections = append(sections, *s)
	}
	res := report.Merge(sections)
	var buf bytes.Buffer
	m := res.Machine
	fmt.Fprintf(&buf, "flashbackd performance — %s — %d CPUs (%s), %.1f GiB, %s, commit %s, load %s\n\n",
		res.Date, m.CPUs, m.CPUModel, m.MemoryGiB, m.GoVersion, m.Commit, m.LoadAvg)
	report.PrintTable(&buf, res.Rows)
	for _, s := range sections {
		for _, n := range s.Notes {
			fmt.Fprintf(&buf, "%s: %s\n", s.Section, n)
		}
		for _, e := range s.Errors {
			fmt.Fprintf(&buf, "%s: ERROR %s\n", s.Section, e)
		}
	}
	fmt.Print(buf.String())
	if err := report.WriteJSON(*out, res); err != nil {
		return err
	}
	fmt.Printf("\nwritten to %s\n", *out)
	return nil
}

// repoRoot walks up from the working directory to the go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}
