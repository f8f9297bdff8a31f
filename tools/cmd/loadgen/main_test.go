package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckLocal(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:26601", "tcp://127.0.0.1:26611", "127.0.0.1:26621", "http://localhost:1", "http://[::1]:26601"} {
		_, err := checkLocal(ok)
		require.NoError(t, err, ok)
	}
	for _, bad := range []string{"http://10.0.0.1:26601", "http://example.com:26601", "https://127.0.0.1:26601", "http://0.0.0.0:1"} {
		_, err := checkLocal(bad)
		require.Error(t, err, bad)
	}
}

func TestParseMix(t *testing.T) {
	m, err := parseMix("request=45,topup=40,send=15")
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	for i := 0; i < 10000; i++ {
		counts[m.pick(rng)]++
	}
	require.InDelta(t, 4500, counts[kindRequest], 300)
	require.InDelta(t, 4000, counts[kindTopUp], 300)
	require.InDelta(t, 1500, counts[kindSend], 300)
	for _, bad := range []string{"", "request", "nope=1", "request=0", "send=-1"} {
		_, err := parseMix(bad)
		require.Error(t, err, bad)
	}
}

func TestExpectedSequence(t *testing.T) {
	seq, ok := expectedSequence("account sequence mismatch, expected 12, got 10: incorrect account sequence")
	require.True(t, ok)
	require.EqualValues(t, 12, seq)
	_, ok = expectedSequence("insufficient fees")
	require.False(t, ok)
}

func TestRPCErrorKind(t *testing.T) {
	for err, want := range map[error]string{
		errors.New(`error in json rpc client, with http response metadata: (Status: 200 OK, Protocol HTTP/1.1). RPC error -32603 - Internal error: mempool is full: number of txs 5000 (max: 5000)`): "mempool is full",
		fmt.Errorf("post failed: %w", context.DeadlineExceeded):                      "timeout",
		&url.Error{Op: "Post", URL: "http://127.0.0.1:1", Err: timeoutError{}}:       "timeout",
		errors.New("post failed: dial tcp 127.0.0.1:1: connect: connection refused"): "connection refused",
	} {
		require.Equal(t, want, rpcErrorKind(err), err.Error())
	}
}

type timeoutError struct{}

func (timeoutError) Error() string { return "i/o timeout" }
func (timeoutError) Timeout() bool { return true }
