// Command benchstorage measures the provider gateway against direct access
// to the same storage, side by side in one run (make bench-storage):
//
//   - posix: the gateway's posix unit vs. the same directory written with
//     the gateway's guarantees (temporary file, MD5 ETag, rename; see
//     dirStore) and read back, and vs. a plain net/http server doing the
//     same over loopback (the ceiling of any HTTP front end here);
//   - s3: the gateway's s3 unit vs. the same AWS SDK client talking to the
//     upstream S3 server directly (a plain versitygw over a directory, run
//     as a child process of this program), and through a plain net/http
//     reverse proxy (the ceiling of any pass-through front end here).
//
// For 4 KiB, 1 MiB and 64 MiB objects it reports PUT and GET throughput of
// one client stream, and for 4 KiB GETs the p50/p99 latency, with the
// gateway/direct ratios. Every round runs all sides of a size back to back
// (the order turning each round) so that load from other processes hits
// them alike; it reports the median and the range of the rounds, and of
// the per-round ratios.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"cosmossdk.io/log"

	"github.com/flashbacknetwork/flashbackd/api/provider/gateway"
	"github.com/flashbacknetwork/flashbackd/api/provider/gateway/internal/s3upstream"
)

var sdkDefaults = flag.Bool("sdk-defaults", false, "use the AWS SDK's default payload signing and checksums in the clients")

func main() {
	if cfg := os.Getenv(upstreamEnv); cfg != "" {
		os.Exit(runUpstream(cfg))
	}
	rounds := flag.Int("rounds", 3, "measurement rounds per case (all sides of a size run back to back in each round)")
	samples := flag.Int("latency-samples", 1000, "4 KiB GETs per round for the latency percentiles")
	out := flag.String("out", "", "write the results as JSON to this file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	only := flag.String("backends", "posix,s3", "which backends to measure")
	sizeList := flag.String("sizes", "4096,1048576,67108864", "object sizes in bytes")
	flag.Parse()
	// The gateway's posix backend changes the working directory: resolve
	// the output paths first.
	for _, p := range []*string{out, cpuProfile} {
		if *p != "" {
			abs, err := filepath.Abs(*p)
			must(err)
			*p = abs
		}
	}
	szs, err := parseSizes(*sizeList)
	must(err)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	res, err := run(*rounds, *samples, strings.Split(*only, ","), szs)
	must(err)
	printTable(res)
	if *out != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		must(os.WriteFile(*out, append(b, '\n'), 0o644))
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchstorage:", err)
		os.Exit(1)
	}
}

type sizeCase struct{ size, ops int }

// parseSizes turns "4096,1048576" into cases moving about 2–256 MiB per
// round each.
func parseSizes(s string) ([]sizeCase, error) {
	var out []sizeCase
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		ops := 4
		switch {
		case n <= 64<<10:
			ops = 500
		case n <= 4<<20:
			ops = 64
		}
		out = append(out, sizeCase{n, ops})
	}
	return out, nil
}

// side is one way of reaching the storage and its samples.
type side struct {
	s        store
	put, get []float64
	lat      []time.Duration
	// every PUT's and GET's time, over the rounds
	putOps, getOps []time.Duration
	getToo         bool
}

func run(rounds, samples int, backends []string, sizes []sizeCase) (Results, error) {
	dir, err := os.MkdirTemp("", "benchstorage-")
	if err != nil {
		return Results{}, err
	}
	defer os.RemoveAll(dir)

	posixRoot, direct, raw := filepath.Join(dir, "posix"), filepath.Join(dir, "direct"), filepath.Join(dir, "raw")
	for _, d := range []string{direct, raw} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return Results{}, err
		}
	}
	cfg := gateway.Config{
		Listen:    "127.0.0.1:0",
		PosixRoot: posixRoot,
		Units:     []gateway.UnitConfig{{ID: 1, Posix: &gateway.PosixStorage{}}},
	}
	upCfg := s3upstream.Config{Dir: filepath.Join(dir, "upstream"), Access: "BENCHUPSTREAM", Secret: "bench-upstream-secret", Buckets: []string{"bucket"}}
	if slices.Contains(backends, "s3") {
		up, addr, err := startUpstream(upCfg)
		if err != nil {
			return Results{}, err
		}
		upCfg.Addr = addr
		defer func() { _ = up.Process.Kill(); _ = up.Wait() }()
		cfg.Units = append(cfg.Units, gateway.UnitConfig{ID: 2, S3: &gateway.S3Storage{
			Endpoint: "http://" + upCfg.Addr, Bucket: "bucket", AccessKey: upCfg.Access, SecretKey: upCfg.Secret, PathStyle: true,
		}})
	}
	g, err := gateway.New(cfg, log.NewNopLogger())
	if err != nil {
		return Results{}, err
	}
	defer g.Close()
	if err := g.Start(context.Background()); err != nil {
		return Results{}, err
	}
	endpoint := "http://" + g.Addr()

	type target struct {
		name                        string
		direct, gw, floor, raw, tcp store
	}
	var targets []target
	for _, u := range cfg.Units {
		d := gateway.Deal{ID: u.ID, UnitID: u.ID, AccessKeyID: fmt.Sprintf("BENCHDEAL%d", u.ID), Secret: "bench-secret", QuotaBytes: 1 << 40}
		if err := g.PutDeal(d); err != nil {
			return Results{}, err
		}
		gw := newStore(endpoint, d.AccessKeyID, d.Secret, gateway.BucketName(d.ID), "")
		if u.Posix != nil && slices.Contains(backends, "posix") {
			floorDir := filepath.Join(dir, "floor")
			if err := os.MkdirAll(floorDir, 0o750); err != nil {
				return Results{}, err
			}
			url, stop, err := serveFloor(floorDir)
			if err != nil {
				return Results{}, err
			}
			defer stop()
			floor := httpStore{c: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}, url: url}
			tcpDir := filepath.Join(dir, "tcp")
			if err := os.MkdirAll(tcpDir, 0o750); err != nil {
				return Results{}, err
			}
			tcp, stopTCP, err := serveTCP(tcpDir)
			if err != nil {
				return Results{}, err
			}
			defer stopTCP()
			targets = append(targets, target{name: "posix", direct: dirStore{direct}, gw: gw, floor: floor, raw: rawDirStore{raw}, tcp: tcp})
		}
		if u.S3 != nil {
			url, stop, err := serveProxy("http://" + upCfg.Addr)
			if err != nil {
				return Results{}, err
			}
			defer stop()
			targets = append(targets, target{name: "s3", gw: gw,
				direct: newStore("http://"+upCfg.Addr, upCfg.Access, upCfg.Secret, "bucket", "direct/"),
				floor:  newStore(url, upCfg.Access, upCfg.Secret, "bucket", "proxy/")})
		}
	}

	client := "AWS SDK for Go v2, UNSIGNED-PAYLOAD, checksums only where required"
	if *sdkDefaults {
		client = "AWS SDK for Go v2 defaults: signed payload, CRC32 on uploads, response checksum validation"
	}
	res := Results{Date: time.Now().UTC().Format(time.RFC3339), Rounds: rounds, SDKDefaults: *sdkDefaults, Client: client}
	for _, tg := range targets {
		for _, sz := range sizes {
			dside, gw := &side{s: tg.direct, getToo: true}, &side{s: tg.gw, getToo: true}
			sides := []*side{dside, gw}
			var floor, raw, tcp *side
			if tg.tcp != nil {
				tcp = &side{s: tg.tcp, getToo: true}
				sides = append(sides, tcp)
			}
			if tg.floor != nil {
				floor = &side{s: tg.floor, getToo: true}
				sides = append(sides, floor)
			}
			if tg.raw != nil {
				raw = &side{s: tg.raw}
				sides = append(sides, raw)
			}
			for r := range rounds {
				for i := range sides {
					if err := measure(sides[(i+r)%len(sides)], sz, samples); err != nil {
						return res, fmt.Errorf("%s %d: %w", tg.name, sz.size, err)
					}
				}
			}
			c := Case{Backend: tg.name, Size: sz.size, Ops: sz.ops,
				DirectPut: statOf(dside.put), GatewayPut: statOf(gw.put), PutRatio: ratioStat(gw.put, dside.put),
				DirectGet: statOf(dside.get), GatewayGet: statOf(gw.get), GetRatio: ratioStat(gw.get, dside.get),
			}
			c.OpP50ms = map[string][2]float64{"direct": opP50(dside), "gateway": opP50(gw)}
			if raw != nil {
				rp := statOf(raw.put)
				c.OpP50ms["raw"], c.RawPut = opP50(raw), &rp
			}
			if tcp != nil {
				c.OpP50ms["tcp"] = opP50(tcp)
				tp, tgt, tr := statOf(tcp.put), statOf(tcp.get), ratioStat(tcp.get, dside.get)
				c.TCPPut, c.TCPGet, c.TCPGetRatio = &tp, &tgt, &tr
			}
			if floor != nil {
				c.OpP50ms["ceiling"] = opP50(floor)
				fr := ratioStat(floor.get, dside.get)
				c.FloorGetDirectRatio = &fr
				fp, fg := statOf(floor.put), statOf(floor.get)
				pr, gr := ratioStat(gw.put, floor.put), ratioStat(gw.get, floor.get)
				c.FloorPut, c.FloorGet, c.PutFloorRatio, c.GetFloorRatio = &fp, &fg, &pr, &gr
				if sz.size == 4<<10 {
					c.FloorGetP50us = percentile(floor.lat, 50)
				}
			}
			if sz.size == 4<<10 {
				c.DirectGetP50us, c.DirectGetP99us = percentile(dside.lat, 50), percentile(dside.lat, 99)
				c.GatewayGetP50us, c.GatewayGetP99us = percentile(gw.lat, 50), percentile(gw.lat, 99)
				c.AddedP50us = round2(c.GatewayGetP50us - c.DirectGetP50us)
			}
			res.Cases = append(res.Cases, c)
		}
	}
	return res, nil
}

// measure runs one round of a size on one side: PUTs, then GETs of what
// was put, then (4 KiB) the latency samples.
func measure(sd *side, sz sizeCase, samples int) error {
	data := payload(sz.size)
	p, err := throughput(sz.ops, sz.size, &sd.putOps, func(i int) error { return sd.s.put(key(i), data) })
	if err != nil {
		return fmt.Errorf("put: %w", err)
	}
	sd.put = append(sd.put, p)
	if !sd.getToo {
		return nil
	}
	g, err := throughput(sz.ops, sz.size, &sd.getOps, func(i int) error { return checkedGet(sd.s, key(i), sz.size) })
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	sd.get = append(sd.get, g)
	if sz.size == 4<<10 {
		for i := range samples {
			start := time.Now()
			if err := checkedGet(sd.s, key(i%sz.ops), sz.size); err != nil {
				return err
			}
			sd.lat = append(sd.lat, time.Since(start))
		}
	}
	return nil
}

// opP50 is a side's median PUT and GET time in ms.
func opP50(sd *side) [2]float64 {
	p := [2]float64{percentile(sd.putOps, 50) / 1000, 0}
	if len(sd.getOps) > 0 {
		p[1] = percentile(sd.getOps, 50) / 1000
	}
	return [2]float64{round2(p[0]), round2(p[1])}
}

// payload returns the same incompressible bytes of a size every time.
var payloads = map[int][]byte{}

func payload(size int) []byte {
	if b, ok := payloads[size]; ok {
		return b
	}
	b := make([]byte, size)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(b)
	payloads[size] = b
	return b
}

func key(i int) string { return fmt.Sprintf("obj-%04d", i) }

func checkedGet(s store, key string, size int) error {
	n, err := s.get(key)
	if err == nil && n != int64(size) {
		err = fmt.Errorf("%s: got %d bytes, want %d", key, n, size)
	}
	return err
}

// throughput runs op ops times and returns MB/s (10^6 bytes); it appends
// each op's time to times.
func throughput(ops, size int, times *[]time.Duration, op func(int) error) (float64, error) {
	start := time.Now()
	for i := range ops {
		t := time.Now()
		if err := op(i); err != nil {
			return 0, err
		}
		*times = append(*times, time.Since(t))
	}
	return round2(float64(ops*size) / time.Since(start).Seconds() / 1e6), nil
}
