// Command probetarget runs a storage-provider stand-in that answers the
// flashbackd QoS probe protocol (x/oracle/prober/PROTOCOL.md), for local
// networks and scripts:
//
//	go run ./tools/cmd/probetarget --listen 127.0.0.1:9101 --latency 20ms --throughput-kbps 0 --failure-bps 0
//
// Any base path works as a unit endpoint (http://127.0.0.1:9101/unit1, ...).
// A running target is degraded with its control endpoint:
//
//	curl -X POST -d '{"failure_bps":5000}' http://127.0.0.1:9101/_control
//	curl http://127.0.0.1:9101/_control
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

// shutdownGrace bounds how long in-flight requests may take to finish after
// SIGINT/SIGTERM; slow (throttled) transfers are cut after it.
const shutdownGrace = 2 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "probetarget:", err)
		stop()
		os.Exit(1)
	}
}

type options struct {
	listen      string
	allowPublic bool
	behaviour   probetarget.Behaviour
}

func parseFlags(args []string, output io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("probetarget", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:9101", "address to listen on (host:port; loopback only unless --allow-public)")
	fs.BoolVar(&o.allowPublic, "allow-public", false, "allow listening on non-loopback addresses")
	fs.DurationVar(&o.behaviour.Latency, "latency", 0, "delay before the first response byte of every request")
	fs.Int64Var(&o.behaviour.ThroughputKBps, "throughput-kbps", 0, "pace object downloads and upload bodies at this many kilobytes (1000 bytes) per second; 0 = unthrottled")
	failureBps := fs.Uint("failure-bps", 0, "share of probe requests answered with 500, in basis points (0..10000), deterministic pattern")
	fs.BoolVar(&o.behaviour.Down, "down", false, "answer every probe request with 503")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.behaviour.Latency < 0 {
		return o, fmt.Errorf("--latency must not be negative, got %s", o.behaviour.Latency)
	}
	if o.behaviour.ThroughputKBps < 0 {
		return o, fmt.Errorf("--throughput-kbps must not be negative, got %d", o.behaviour.ThroughputKBps)
	}
	if *failureBps > 10000 {
		return o, fmt.Errorf("--failure-bps must be in [0, 10000], got %d", *failureBps)
	}
	o.behaviour.FailureRate = uint32(*failureBps)
	if err := checkListenAddr(o.listen, o.allowPublic); err != nil {
		return o, err
	}
	return o, nil
}

// checkListenAddr refuses anything but a loopback address unless
// allowPublic is set: the target accepts anonymous uploads and has an
// unauthenticated control endpoint, so it must not be reachable by accident.
func checkListenAddr(addr string, allowPublic bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	if allowPublic {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q is not a loopback address (use 127.0.0.1 or [::1], or pass --allow-public to expose the target)", addr)
}

// run serves until ctx is cancelled, then shuts down: request contexts
// derive from ctx, so slow (latency, throttled) requests end at once. ready, if not nil, receives the bound
// address once the listener is up (tests use port 0).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	target := probetarget.New(o.behaviour)
	srv := &http.Server{
		Handler:           target.HandlerWithControl(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	b := target.Behaviour()
	fmt.Fprintf(stdout, "probetarget ready on http://%s (latency=%s throughput-kbps=%d failure-bps=%d down=%t)\n",
		ln.Addr(), b.Latency, b.ThroughputKBps, b.FailureRate, b.Down)
	if ready != nil {
		ready(ln.Addr().String())
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		_ = srv.Close() // grace period over: drop the remaining connections
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
