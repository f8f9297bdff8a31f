// Package report is the common format of the performance harness: every
// part (throughput, scaling, network) writes a Section of rows to JSON, and
// `benchreport merge` prints them as one table and writes bench/results.json.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Row is one measurement.
type Row struct {
	// Section is throughput, scaling or network.
	Section string `json:"section"`
	// Name says what was measured (workload, benchmark, metric).
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	// Ratio compares Value with RatioOf (e.g. "× bank-send", "100000/1000").
	Ratio   *float64 `json:"ratio,omitempty"`
	RatioOf string   `json:"ratio_of,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// WithRatio returns r with a ratio.
func (r Row) WithRatio(ratio float64, of string) Row {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return r
	}
	r.Ratio, r.RatioOf = &ratio, of
	return r
}

// Section is what one part of the harness writes.
type Section struct {
	Section string `json:"section"`
	// Date is when the part ran (RFC 3339).
	Date    string   `json:"date"`
	Rows    []Row    `json:"rows"`
	Notes   []string `json:"notes,omitempty"`
	Errors  []string `json:"errors,omitempty"`
	Machine *Machine `json:"machine,omitempty"`
	// Details are the part's full results.
	Details any `json:"details,omitempty"`
}

// NewSection starts a section dated now.
func NewSection(name string) *Section {
	m := DetectMachine()
	return &Section{Section: name, Date: time.Now().Format(time.RFC3339), Machine: &m}
}

// Add appends rows.
func (s *Section) Add(rows ...Row) {
	for i := range rows {
		rows[i].Section = s.Section
		// JSON has no NaN or infinity: an undefined value is 0, marked.
		if math.IsNaN(rows[i].Value) || math.IsInf(rows[i].Value, 0) {
			rows[i].Value = 0
			rows[i].Note = strings.TrimSpace(rows[i].Note + " n/a")
		}
	}
	s.Rows = append(s.Rows, rows...)
}

// Results is bench/results.json: every section and their rows as one table.
type Results struct {
	Date     string    `json:"date"`
	Machine  Machine   `json:"machine"`
	Rows     []Row     `json:"rows"`
	Sections []Section `json:"sections"`
}

// Machine describes where the numbers were taken.
type Machine struct {
	CPUs      int     `json:"cpus"`
	CPUModel  string  `json:"cpu_model"`
	MemoryGiB float64 `json:"memory_gib"`
	GoVersion string  `json:"go_version"`
	OS        string  `json:"os"`
	Commit    string  `json:"commit,omitempty"`
	LoadAvg   string  `json:"load_avg,omitempty"`
}

// DetectMachine reads the CPU count, model and memory (Linux /proc), the Go
// version, the load average and the git commit.
func DetectMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "MemTotal:") {
				fields := strings.Fields(line)
				if len(fields) >= 2 {
					kb, _ := strconv.ParseFloat(fields[1], 64)
					m.MemoryGiB = math.Round(kb/1024/1024*10) / 10
				}
			}
		}
	}
	if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
		fields := strings.Fields(string(raw))
		if len(fields) >= 3 {
			m.LoadAvg = strings.Join(fields[:3], " ")
		}
	}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil && len(out) > 0 {
		m.GoVersion = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		// "-dirty" marks changes to the code measured; the results a run
		// writes under bench/ (before its last part) do not count.
		status, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench").Output()
		if err == nil && len(bytes.TrimSpace(status)) > 0 {
			m.Commit += "-dirty"
		}
	}
	return m
}

// WriteJSON writes v indented to path, creating the directory.
func WriteJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(bz, '\n'), 0o644)
}

// ReadSection reads a section written by WriteJSON.
func ReadSection(path string) (*Section, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Section
	if err := json.Unmarshal(bz, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// Merge combines sections (in order) into Results.
func Merge(sections []Section) Results {
	res := Results{Date: time.Now().Format(time.RFC3339), Machine: DetectMachine(), Sections: sections}
	for _, s := range sections {
		res.Rows = append(res.Rows, s.Rows...)
	}
	return res
}

// FormatValue prints a value with a precision that suits its size.
func FormatValue(v float64) string {
	a := math.Abs(v)
	switch {
	case v == math.Trunc(v) && a < 1e15:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// PrintTable prints rows as one aligned table: section, name, value, unit,
// ratio.
func PrintTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SECTION\tWORKLOAD / MEASUREMENT\tVALUE\tUNIT\tRATIO\t")
	for _, r := range rows {
		ratio := ""
		if r.Ratio != nil {
			ratio = FormatValue(*r.Ratio) + "× " + r.RatioOf
		}
		name := r.Name
		if r.Note != "" {
			name += " (" + r.Note + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.Section, name, FormatValue(r.Value), r.Unit, ratio)
	}
	tw.Flush()
}

// Percentile returns the p-th percentile (0–100, nearest rank) of values.
func Percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(s) {
		rank = len(s)
	}
	return s[rank-1]
}

// Mean of values (NaN when empty).
func Mean(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values))
}
