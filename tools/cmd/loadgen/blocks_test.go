package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	rpcserver "github.com/cometbft/cometbft/rpc/jsonrpc/server"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"
)

// fakeRPC serves /abci_info (executed height 7), /block and /block_results
// for height 7 the way CometBFT's RPC server encodes them, and "could not
// find results" for height 8, which is stored but not executed.
func fakeRPC(t *testing.T, txs cmttypes.Txs, results []*abci.ExecTxResult, at time.Time) *node {
	t.Helper()
	id := rpctypes.JSONRPCIntID(-1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var res rpctypes.RPCResponse
		switch h := r.URL.Query().Get("height"); {
		case r.URL.Path == "/abci_info":
			res = rpctypes.NewRPCSuccessResponse(id, &coretypes.ResultABCIInfo{Response: abci.ResponseInfo{
				Data: "flashbackd", LastBlockHeight: 7, LastBlockAppHash: []byte{1, 2, 3},
			}})
		case r.URL.Path == "/block" && h == "7":
			res = rpctypes.NewRPCSuccessResponse(id, &coretypes.ResultBlock{Block: &cmttypes.Block{
				Header: cmttypes.Header{Height: 7, Time: at}, Data: cmttypes.Data{Txs: txs},
			}})
		case r.URL.Path == "/block" && h == "8":
			res = rpctypes.NewRPCSuccessResponse(id, &coretypes.ResultBlock{Block: &cmttypes.Block{Header: cmttypes.Header{Height: 8, Time: at}}})
		case r.URL.Path == "/block_results" && h == "7":
			res = rpctypes.NewRPCSuccessResponse(id, &coretypes.ResultBlockResults{Height: 7, TxsResults: results})
		default:
			res = rpctypes.RPCInternalError(id, errors.New("could not find results for height #"+h))
		}
		require.NoError(t, rpcserver.WriteRPCResponseHTTP(w, res))
	}))
	t.Cleanup(srv.Close)
	return &node{url: srv.URL, http: srv.Client()}
}

var (
	testTxs     = cmttypes.Txs{cmttypes.Tx("first tx"), cmttypes.Tx("second tx"), cmttypes.Tx("someone else's tx")}
	testResults = []*abci.ExecTxResult{
		{Code: 0, GasUsed: 65_739, GasWanted: 100_000, Log: "ok", Events: []abci.Event{
			{Type: "transfer", Attributes: []abci.EventAttribute{{Key: "amount", Value: "1000uflash", Index: true}}},
		}},
		{Code: 5, Codespace: "sdk", GasUsed: 41_200, Log: "insufficient funds"},
		{Code: 0, GasUsed: 90_000},
	}
)

func TestExecutedHeight(t *testing.T) {
	n := fakeRPC(t, nil, nil, time.Unix(0, 0).UTC())
	h, err := n.executedHeight(context.Background())
	require.NoError(t, err)
	require.EqualValues(t, 7, h)
}

func TestBlockAndResults(t *testing.T) {
	at := time.Date(2026, 11, 24, 7, 30, 0, 123456789, time.UTC)
	n := fakeRPC(t, testTxs, testResults, at)

	b, err := n.block(context.Background(), 7)
	require.NoError(t, err)
	require.True(t, at.Equal(b.time), "header time %s", b.time)
	require.Equal(t, []string{txHash(testTxs[0]), txHash(testTxs[1]), txHash(testTxs[2])}, b.hashes)

	res, err := n.results(context.Background(), 7, len(testTxs))
	require.NoError(t, err)
	require.Equal(t, []txResult{{code: 0, gasUsed: 65_739}, {code: 5, codespace: "sdk", gasUsed: 41_200}, {code: 0, gasUsed: 90_000}}, res)

	_, err = n.results(context.Background(), 8, 0)
	require.ErrorContains(t, err, "could not find results")
	_, err = n.results(context.Background(), 7, 1)
	require.ErrorContains(t, err, "1 transactions but 3 results")
}

// The tracker only matches hashes; settle reads the results afterwards and
// counts each load transaction as committed or failed, by kind.
func TestTrackThenSettle(t *testing.T) {
	at := time.Date(2026, 11, 24, 7, 30, 0, 0, time.UTC)
	n := fakeRPC(t, testTxs, testResults, at)
	sent := time.Now()
	l := &load{g: &gen{nodes: []*node{n}, logf: t.Logf}, st: newStats(), windowAt: sent.Add(time.Minute)}
	l.st.pending[txHash(testTxs[0])] = pendingTx{sentAt: sent, kind: kindSend}
	l.st.pending[txHash(testTxs[1])] = pendingTx{sentAt: sent, kind: kindRequest}
	l.st.pending[txHash([]byte("still pending"))] = pendingTx{sentAt: sent, kind: kindTopUp}

	observed := sent.Add(1500 * time.Millisecond)
	require.NoError(t, l.processBlock(context.Background(), 7, observed))
	require.Len(t, l.st.pending, 1, "the two included load txs leave the pending set")
	require.Zero(t, l.st.okTotal, "nothing is counted before settle")

	require.NoError(t, l.settle(context.Background()))
	st := l.st
	require.Equal(t, 1, st.okTotal)
	require.Equal(t, 1, st.okInWindow)
	require.Equal(t, map[string]int{kindSend: 1}, st.okByKind)
	require.Equal(t, map[string]int64{kindSend: 65_739}, st.gasUsed)
	require.Equal(t, map[string]int{"sdk/5": 1}, st.deliverFail)
	require.Equal(t, []float64{1500}, st.latencies)
	require.Equal(t, []blockInfo{{height: 7, time: at, observed: observed, txs: 3, ours: 2, ok: 1}}, st.blocks)

	// A block whose results cannot be read fails the report, not silently.
	l.st.included = append(l.st.included, includedTx{block: len(l.st.blocks)})
	l.st.blocks = append(l.st.blocks, blockInfo{height: 8})
	require.ErrorContains(t, l.settle(context.Background()), "could not find results")
}

func TestSteadyRate(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	block := func(sec float64, ok int) blockInfo {
		at := t0.Add(time.Duration(sec * float64(time.Second)))
		return blockInfo{time: at, observed: at.Add(50 * time.Millisecond), ok: ok}
	}
	blocks := []blockInfo{
		block(0, 10),    // ramp-up: before from
		block(10, 150),  // the first block in range: its transactions came before the span
		block(11, 200),  //
		block(12.5, 90), //
		block(14, 310),  //
		block(15, 500),  // after to
	}
	s, ok := steadyRate(blocks, t0.Add(5*time.Second), t0.Add(14500*time.Millisecond))
	require.True(t, ok)
	require.Equal(t, steady{rate: 150, txs: 600, blocks: 3, span: 4 * time.Second}, s)

	_, ok = steadyRate(blocks, t0.Add(14*time.Second), t0.Add(14500*time.Millisecond))
	require.False(t, ok, "one block has no span")
}
