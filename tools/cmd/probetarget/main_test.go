package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckListenAddr(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:9101", "[::1]:9101", "localhost:0", "127.0.0.2:80"} {
		require.NoError(t, checkListenAddr(addr, false), addr)
	}
	for _, addr := range []string{"0.0.0.0:9101", ":9101", "10.0.0.1:9101", "[::]:9101", "example.com:80"} {
		err := checkListenAddr(addr, false)
		require.Error(t, err, addr)
		require.Contains(t, err.Error(), "--allow-public", addr)
		require.NoError(t, checkListenAddr(addr, true), addr)
	}
	require.Error(t, checkListenAddr("127.0.0.1", true), "missing port")
}

func TestParseFlagsRejectsBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--failure-bps", "10001"},
		{"--latency", "-1s"},
		{"--throughput-kbps", "-1"},
		{"--listen", "0.0.0.0:1"},
		{"extra"},
	} {
		_, err := parseFlags(args, io.Discard)
		require.Error(t, err, args)
	}
	o, err := parseFlags([]string{"--latency", "20ms", "--throughput-kbps", "100", "--failure-bps", "2500", "--down"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, 20*time.Millisecond, o.behaviour.Latency)
	require.Equal(t, int64(100), o.behaviour.ThroughputKBps)
	require.Equal(t, uint32(2500), o.behaviour.FailureRate)
	require.True(t, o.behaviour.Down)
}

func TestRunServesAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout bytes.Buffer
	addrCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--latency", "1h"}, &stdout, io.Discard, func(a string) { addrCh <- a })
	}()
	var addr string
	select {
	case addr = <-addrCh:
	case err := <-done:
		t.Fatalf("run returned early: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("server not ready")
	}

	// The control endpoint ignores the hour of latency and can remove it.
	resp, err := http.Post("http://"+addr+"/_control", "application/json", strings.NewReader(`{"latency_ms":0}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get("http://" + addr + "/unit1/flashback-probe/ping")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "pong", string(body))

	// A request stuck in latency must not delay shutdown.
	resp, err = http.Post("http://"+addr+"/_control", "application/json", strings.NewReader(`{"latency_ms":600000}`))
	require.NoError(t, err)
	resp.Body.Close()
	go func() {
		if r, err := http.Get("http://" + addr + "/flashback-probe/ping"); err == nil {
			r.Body.Close()
		}
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	require.Contains(t, stdout.String(), "probetarget ready on http://"+addr)
}
