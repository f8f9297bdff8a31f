package main

import (
	"fmt"
	"slices"
	"time"
)

// Stat is one measure over the rounds: its median and range.
type Stat struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func statOf(v []float64) Stat {
	if len(v) == 0 {
		return Stat{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return Stat{Median: s[len(s)/2], Min: s[0], Max: s[len(s)-1]}
}

// ratioStat is a/b per round (the rounds run the sides back to back, so
// the per-round ratio cancels most of the machine's swings).
func ratioStat(a, b []float64) Stat {
	r := make([]float64, 0, len(a))
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			r = append(r, round2(a[i]/b[i]))
		}
	}
	return statOf(r)
}

// Case is one measured size on one backend. Throughputs in MB/s (10^6 B/s).
type Case struct {
	Backend string `json:"backend"`
	Size    int    `json:"size_bytes"`
	Ops     int    `json:"ops_per_round"`

	// direct: the storage itself with the gateway's PUT guarantees
	// (posix: temporary file + MD5 ETag + rename; s3: the upstream).
	DirectPut  Stat `json:"direct_put_mbps"`
	GatewayPut Stat `json:"gateway_put_mbps"`
	PutRatio   Stat `json:"put_ratio"`
	DirectGet  Stat `json:"direct_get_mbps"`
	GatewayGet Stat `json:"gateway_get_mbps"`
	GetRatio   Stat `json:"get_ratio"`

	// posix: os.WriteFile (no atomicity, no ETag), and the ceiling: a plain
	// net/http server over the same directory doing what direct does;
	// s3: the ceiling is a plain net/http reverse proxy to the upstream.
	RawPut        *Stat `json:"raw_write_put_mbps,omitempty"`
	FloorPut      *Stat `json:"http_ceiling_put_mbps,omitempty"`
	FloorGet      *Stat `json:"http_ceiling_get_mbps,omitempty"`
	PutFloorRatio *Stat `json:"put_ratio_to_http_ceiling,omitempty"`
	GetFloorRatio *Stat `json:"get_ratio_to_http_ceiling,omitempty"`
	// posix: the ceiling's GET against direct, per round.
	FloorGetDirectRatio *Stat `json:"http_ceiling_get_ratio_to_direct,omitempty"`

	// posix: no HTTP at all, one loopback TCP connection with sendfile
	// (tcpStore): the bound of any network protocol on this machine.
	TCPPut      *Stat `json:"tcp_put_mbps,omitempty"`
	TCPGet      *Stat `json:"tcp_get_mbps,omitempty"`
	TCPGetRatio *Stat `json:"tcp_get_ratio_to_direct,omitempty"`

	// Median time of one PUT and one GET in ms per side (direct, gateway,
	// ceiling, tcp, raw): steady cost, without the rounds' stalls.
	OpP50ms map[string][2]float64 `json:"op_p50_ms"`

	// 4 KiB only, over all rounds' samples.
	FloorGetP50us   float64 `json:"http_ceiling_get_p50_us,omitempty"`
	DirectGetP50us  float64 `json:"direct_get_p50_us,omitempty"`
	DirectGetP99us  float64 `json:"direct_get_p99_us,omitempty"`
	GatewayGetP50us float64 `json:"gateway_get_p50_us,omitempty"`
	GatewayGetP99us float64 `json:"gateway_get_p99_us,omitempty"`
	AddedP50us      float64 `json:"added_get_p50_us,omitempty"`
}

// Results is the run.
type Results struct {
	Date        string `json:"date"`
	Rounds      int    `json:"rounds"`
	SDKDefaults bool   `json:"sdk_defaults"`
	Client      string `json:"client"`
	Cases       []Case `json:"cases"`
}

func percentile(d []time.Duration, p int) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(len(s)-1, len(s)*p/100)
	return round2(float64(s[i]) / float64(time.Microsecond))
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func printTable(r Results) {
	fmt.Printf("one client stream (%s); median [min-max] of %d rounds; MB/s = 10^6 B/s\n", r.Client, r.Rounds)
	fmt.Println("direct = the storage with the gateway's PUT guarantees (posix: temp file + MD5 ETag + rename; s3: the upstream);")
	fmt.Println("ceiling = plain net/http server doing the same over loopback (s3: a plain reverse proxy); raw = os.WriteFile;")
	fmt.Println("tcp = no HTTP, one loopback TCP connection, sendfile for GETs (the bound of any network protocol here)")
	for _, c := range r.Cases {
		fmt.Printf("%-5s %-6s PUT direct %s gateway %s  gw/direct %s", c.Backend, human(c.Size), mbps(c.DirectPut), mbps(c.GatewayPut), ratio(c.PutRatio))
		if c.FloorPut != nil {
			fmt.Printf("  ceiling %s gw/ceiling %s", mbps(*c.FloorPut), ratio(*c.PutFloorRatio))
		}
		if c.RawPut != nil {
			fmt.Printf(" raw %s", mbps(*c.RawPut))
		}
		fmt.Println()
		fmt.Printf("%-5s %-6s op p50 ms (put, get): %v\n", c.Backend, human(c.Size), c.OpP50ms)
		fmt.Printf("%-5s %-6s GET direct %s gateway %s  gw/direct %s", c.Backend, human(c.Size), mbps(c.DirectGet), mbps(c.GatewayGet), ratio(c.GetRatio))
		if c.FloorGet != nil {
			fmt.Printf("  ceiling %s gw/ceiling %s", mbps(*c.FloorGet), ratio(*c.GetFloorRatio))
		}
		fmt.Println()
		if c.TCPGet != nil {
			fmt.Printf("%-5s %-6s no HTTP, loopback TCP + sendfile: PUT %s GET %s  tcp/direct GET %s  ceiling/direct GET %s\n",
				c.Backend, human(c.Size), mbps(*c.TCPPut), mbps(*c.TCPGet), ratio(*c.TCPGetRatio), ratio(*c.FloorGetDirectRatio))
		}
	}
	for _, c := range r.Cases {
		if c.Size == 4<<10 {
			fmt.Printf("%-5s 4 KiB GET latency: direct p50 %.0f µs p99 %.0f µs | gateway p50 %.0f µs p99 %.0f µs | added p50 %.0f µs",
				c.Backend, c.DirectGetP50us, c.DirectGetP99us, c.GatewayGetP50us, c.GatewayGetP99us, c.AddedP50us)
			if c.FloorGetP50us > 0 {
				fmt.Printf(" (ceiling p50 %.0f µs)", c.FloorGetP50us)
			}
			fmt.Println()
		}
	}
}

func mbps(s Stat) string { return fmt.Sprintf("%7.1f [%.0f-%.0f]", s.Median, s.Min, s.Max) }

func ratio(s Stat) string { return fmt.Sprintf("%.2fx [%.2f-%.2f]", s.Median, s.Min, s.Max) }

func human(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	default:
		return fmt.Sprintf("%dKiB", n>>10)
	}
}
