// Command benchstorage measures the provider gateway against direct access
// to the same storage, side by side in one run (make bench-storage):
//
//   - posix: the gateway's posix unit vs. plain file writes and reads in a
//     directory on the same file system;
//   - s3: the gateway's s3 unit vs. the same AWS SDK client talking to the
//     upstream S3 server directly (a plain versitygw over a directory, run
//     as a child process of this program).
//
// For 4 KiB, 1 MiB and 64 MiB objects it reports PUT and GET throughput of
// one client stream, and for 4 KiB GETs the p50/p99 latency, with the
// gateway/direct ratios. Rounds alternate direct and gateway runs so that
// load from other processes hits both alike; throughputs are the median of
// the rounds.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"cosmossdk.io/log"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flashbacknetwork/flashbackd/api/provider/gateway"
	"github.com/flashbacknetwork/flashbackd/api/provider/gateway/internal/s3upstream"
)

const upstreamEnv = "BENCHSTORAGE_UPSTREAM"

func main() {
	if cfg := os.Getenv(upstreamEnv); cfg != "" {
		os.Exit(runUpstream(cfg))
	}
	rounds := flag.Int("rounds", 3, "measurement rounds per case (direct and gateway alternate)")
	samples := flag.Int("latency-samples", 1000, "4 KiB GETs per round for the latency percentiles")
	out := flag.String("out", "", "write the results as JSON to this file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	only := flag.String("backends", "posix,s3", "which backends to measure")
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
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	res, err := run(*rounds, *samples, strings.Split(*only, ","))
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

// store is one way to put and get objects.
type store interface {
	put(key string, data []byte) error
	get(key string) (int64, error)
}

type dirStore struct{ dir string }

func (d dirStore) put(key string, data []byte) error {
	return os.WriteFile(filepath.Join(d.dir, key), data, 0o600)
}

func (d dirStore) get(key string) (int64, error) {
	f, err := os.Open(filepath.Join(d.dir, key))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.CopyBuffer(io.Discard, onlyReader{f}, readBuf)
}

// readBuf is the one read buffer of both sides (the benchmark runs one
// operation at a time).
var readBuf = make([]byte, 1<<20)

// httpStore is a minimal HTTP file server over a directory (net/http,
// sendfile for GETs) and a plain HTTP client: the floor any HTTP storage
// front end pays on this machine, for telling the gateway's own cost from
// the cost of moving bytes over a loopback TCP connection.
type httpStore struct {
	c   *http.Client
	url string
}

func serveFloor(dir string) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Join(dir, filepath.Base(r.URL.Path))
		switch r.Method {
		case http.MethodPut:
			f, err := os.Create(name)
			if err == nil {
				_, err = io.CopyBuffer(f, onlyReader{r.Body}, make([]byte, 1<<20))
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
		case http.MethodGet:
			http.ServeFile(w, r, name)
		}
	})}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), func() { _ = srv.Close() }, nil
}

func (h httpStore) put(key string, data []byte) error {
	req, err := http.NewRequest(http.MethodPut, h.url+"/"+key, bytes.NewReader(data))
	if err != nil {
		return err
	}
	resp, err := h.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("floor PUT: %s", resp.Status)
	}
	return nil
}

func (h httpStore) get(key string) (int64, error) {
	resp, err := h.c.Get(h.url + "/" + key)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("floor GET: %s", resp.Status)
	}
	return io.CopyBuffer(io.Discard, onlyReader{resp.Body}, readBuf)
}

type s3Store struct {
	c      *s3.Client
	bucket string
	prefix string
	opts   []func(*s3.Options)
}

func (s s3Store) put(key string, data []byte) error {
	_, err := s.c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key), Body: bytes.NewReader(data)}, s.opts...)
	return err
}

func (s s3Store) get(key string) (int64, error) {
	out, err := s.c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	return io.CopyBuffer(io.Discard, onlyReader{out.Body}, readBuf)
}

// onlyReader hides WriterTo/ReaderFrom so that both sides copy alike.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// sdkDefaults makes the clients hash every upload (SigV4 payload SHA-256
// over plain HTTP), add CRC32 checksums to uploads and verify checksums of
// downloads, as the AWS SDK does by default. Without it the clients send
// UNSIGNED-PAYLOAD and skip optional checksums, so that the numbers show
// the gateway's cost rather than the client's (the two share this
// machine's CPUs).
var sdkDefaults = flag.Bool("sdk-defaults", false, "use the AWS SDK's default payload signing and checksums in the clients")

func newStore(endpoint, access, secret, bucket, prefix string) s3Store {
	o := s3.Options{
		Region:           gateway.DefaultRegion,
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(access, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConnsPerHost = 16
		}),
	}
	st := s3Store{bucket: bucket, prefix: prefix}
	if !*sdkDefaults {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		st.opts = []func(*s3.Options){s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)}
	}
	st.c = s3.New(o)
	return st
}

// Case is one measured size on one backend.
type Case struct {
	Backend string `json:"backend"`
	Size    int    `json:"size_bytes"`
	Ops     int    `json:"ops_per_round"`

	DirectPutMBps  float64 `json:"direct_put_mbps"`
	GatewayPutMBps float64 `json:"gateway_put_mbps"`
	PutRatio       float64 `json:"put_ratio"`
	DirectGetMBps  float64 `json:"direct_get_mbps"`
	GatewayGetMBps float64 `json:"gateway_get_mbps"`
	GetRatio       float64 `json:"get_ratio"`

	// posix only: a plain HTTP file server over the same directory.
	FloorPutMBps  float64 `json:"http_floor_put_mbps,omitempty"`
	FloorGetMBps  float64 `json:"http_floor_get_mbps,omitempty"`
	PutFloorRatio float64 `json:"put_ratio_to_http_floor,omitempty"`
	GetFloorRatio float64 `json:"get_ratio_to_http_floor,omitempty"`

	// 4 KiB only.
	FloorGetP50us   float64 `json:"http_floor_get_p50_us,omitempty"`
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
	Cases       []Case `json:"cases"`
}

var sizes = []struct {
	size, ops int
}{
	{4 << 10, 500},
	{1 << 20, 64},
	{64 << 20, 4},
}

func run(rounds, samples int, backends []string) (Results, error) {
	dir, err := os.MkdirTemp("", "benchstorage-")
	if err != nil {
		return Results{}, err
	}
	defer os.RemoveAll(dir)

	posixRoot, direct := filepath.Join(dir, "posix"), filepath.Join(dir, "direct")
	if err := os.MkdirAll(direct, 0o750); err != nil {
		return Results{}, err
	}
	cfg := gateway.Config{
		Listen:    "127.0.0.1:0",
		PosixRoot: posixRoot,
		Units:     []gateway.UnitConfig{{ID: 1, Posix: &gateway.PosixStorage{}}},
	}
	var up *exec.Cmd
	upCfg := s3upstream.Config{Dir: filepath.Join(dir, "upstream"), Access: "BENCHUPSTREAM", Secret: "bench-upstream-secret", Buckets: []string{"bucket"}}
	if slices.Contains(backends, "s3") {
		if up, upCfg.Addr, err = startUpstream(upCfg); err != nil {
			return Results{}, err
		}
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
		name              string
		direct, gw, floor store
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
			targets = append(targets, target{name: "posix", direct: dirStore{direct}, gw: gw, floor: floor})
		}
		if u.S3 != nil {
			targets = append(targets, target{name: "s3", direct: newStore("http://"+upCfg.Addr, upCfg.Access, upCfg.Secret, "bucket", "direct/"), gw: gw})
		}
	}

	res := Results{Date: time.Now().UTC().Format(time.RFC3339), Rounds: rounds, SDKDefaults: *sdkDefaults}
	for _, tg := range targets {
		for _, sz := range sizes {
			c := Case{Backend: tg.name, Size: sz.size, Ops: sz.ops}
			data := make([]byte, sz.size)
			_, _ = rand.NewChaCha8([32]byte{1}).Read(data)
			var dPut, gPut, dGet, gGet, fPut, fGet []float64
			var dLat, gLat, fLat []time.Duration
			type side struct {
				s        store
				put, get *[]float64
				lat      *[]time.Duration
			}
			sides := []side{{tg.direct, &dPut, &dGet, &dLat}, {tg.gw, &gPut, &gGet, &gLat}}
			if tg.floor != nil {
				sides = append(sides, side{tg.floor, &fPut, &fGet, &fLat})
			}
			for range rounds {
				for _, side := range sides {
					p, err := throughput(sz.ops, sz.size, func(i int) error { return side.s.put(key(i), data) })
					if err != nil {
						return res, fmt.Errorf("%s put %d: %w", tg.name, sz.size, err)
					}
					gt, err := throughput(sz.ops, sz.size, func(i int) error { return checkedGet(side.s, key(i), sz.size) })
					if err != nil {
						return res, fmt.Errorf("%s get %d: %w", tg.name, sz.size, err)
					}
					*side.put, *side.get = append(*side.put, p), append(*side.get, gt)
					if sz.size == 4<<10 {
						for i := range samples {
							start := time.Now()
							if err := checkedGet(side.s, key(i%sz.ops), sz.size); err != nil {
								return res, err
							}
							*side.lat = append(*side.lat, time.Since(start))
						}
					}
				}
			}
			c.DirectPutMBps, c.GatewayPutMBps = median(dPut), median(gPut)
			c.DirectGetMBps, c.GatewayGetMBps = median(dGet), median(gGet)
			c.PutRatio, c.GetRatio = round2(c.GatewayPutMBps/c.DirectPutMBps), round2(c.GatewayGetMBps/c.DirectGetMBps)
			if tg.floor != nil {
				c.FloorPutMBps, c.FloorGetMBps = median(fPut), median(fGet)
				c.PutFloorRatio, c.GetFloorRatio = round2(c.GatewayPutMBps/c.FloorPutMBps), round2(c.GatewayGetMBps/c.FloorGetMBps)
				if sz.size == 4<<10 {
					c.FloorGetP50us = percentile(fLat, 50)
				}
			}
			if sz.size == 4<<10 {
				c.DirectGetP50us, c.DirectGetP99us = percentile(dLat, 50), percentile(dLat, 99)
				c.GatewayGetP50us, c.GatewayGetP99us = percentile(gLat, 50), percentile(gLat, 99)
				c.AddedP50us = c.GatewayGetP50us - c.DirectGetP50us
			}
			res.Cases = append(res.Cases, c)
		}
	}
	return res, nil
}

func key(i int) string { return fmt.Sprintf("obj-%04d", i) }

func checkedGet(s store, key string, size int) error {
	n, err := s.get(key)
	if err == nil && n != int64(size) {
		err = fmt.Errorf("%s: got %d bytes, want %d", key, n, size)
	}
	return err
}

// throughput runs op ops times and returns MB/s (10^6 bytes).
func throughput(ops, size int, op func(int) error) (float64, error) {
	start := time.Now()
	for i := range ops {
		if err := op(i); err != nil {
			return 0, err
		}
	}
	return round2(float64(ops*size) / time.Since(start).Seconds() / 1e6), nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func percentile(d []time.Duration, p int) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(len(s)-1, len(s)*p/100)
	return round2(float64(s[i]) / float64(time.Microsecond))
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func printTable(r Results) {
	fmt.Printf("one client stream, median of %d rounds; MB/s = 10^6 bytes/s; floor = plain net/http file server on the same directory\n", r.Rounds)
	fmt.Printf("%-6s %7s | %9s %9s %9s %6s %6s | %9s %9s %9s %6s %6s\n", "store", "size",
		"PUT dir", "floor", "gateway", "gw/dir", "gw/fl", "GET dir", "floor", "gateway", "gw/dir", "gw/fl")
	for _, c := range r.Cases {
		fmt.Printf("%-6s %7s | %9.1f %9s %9.1f %5.2fx %6s | %9.1f %9s %9.1f %5.2fx %6s\n",
			c.Backend, human(c.Size), c.DirectPutMBps, orDash(c.FloorPutMBps, "%.1f"), c.GatewayPutMBps, c.PutRatio, orDash(c.PutFloorRatio, "%.2fx"),
			c.DirectGetMBps, orDash(c.FloorGetMBps, "%.1f"), c.GatewayGetMBps, c.GetRatio, orDash(c.GetFloorRatio, "%.2fx"))
	}
	for _, c := range r.Cases {
		if c.Size == 4<<10 {
			fmt.Printf("%-6s 4 KiB GET latency: direct p50 %.0f µs p99 %.0f µs | gateway p50 %.0f µs p99 %.0f µs | added p50 %.0f µs",
				c.Backend, c.DirectGetP50us, c.DirectGetP99us, c.GatewayGetP50us, c.GatewayGetP99us, c.AddedP50us)
			if c.FloorGetP50us > 0 {
				fmt.Printf(" (floor p50 %.0f µs)", c.FloorGetP50us)
			}
			fmt.Println()
		}
	}
}

func orDash(v float64, format string) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf(format, v)
}

func human(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	default:
		return fmt.Sprintf("%d KiB", n>>10)
	}
}

// startUpstream runs this program again as the upstream S3 server.
func startUpstream(cfg s3upstream.Config) (*exec.Cmd, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	cfg.Addr = l.Addr().String()
	l.Close()
	raw, _ := json.Marshal(cfg)
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), upstreamEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	ready := make(chan struct{})
	go func() {
		buf := make([]byte, 64)
		if n, _ := stdout.Read(buf); n > 0 {
			close(ready)
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case <-ready:
		return cmd, cfg.Addr, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, "", fmt.Errorf("upstream S3 server not ready")
	}
}

func runUpstream(raw string) int {
	var cfg s3upstream.Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	err := s3upstream.Serve(context.Background(), cfg, func() { fmt.Println("ready") })
	fmt.Fprintln(os.Stderr, "upstream:", err)
	return 1
}
