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

// fakeRPC serves /block and /block_results for height 7 the way CometBFT's
// RPC server encodes them, and "could not find results" for height 8.
func fakeRPC(t *testing.T, txs cmttypes.Txs, results []*abci.ExecTxResult, at time.Time) *node {
	t.Helper()
	id := rpctypes.JSONRPCIntID(-1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var res rpctypes.RPCResponse
		switch h := r.URL.Query().Get("height"); {
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

func TestCommittedBlockReadsHashesAndResults(t *testing.T) {
	at := time.Date(2026, 11, 24, 7, 30, 0, 123456789, time.UTC)
	txs := cmttypes.Txs{cmttypes.Tx("first tx"), cmttypes.Tx("second tx")}
	results := []*abci.ExecTxResult{
		{Code: 0, GasUsed: 65_739, GasWanted: 100_000, Log: "ok", Events: []abci.Event{
			{Type: "transfer", Attributes: []abci.EventAttribute{{Key: "amount", Value: "1000uflash", Index: true}}},
		}},
		{Code: 5, Codespace: "sdk", GasUsed: 41_200, Log: "insufficient funds"},
	}
	n := fakeRPC(t, txs, results, at)

	b, err := n.committedBlock(context.Background(), 7)
	require.NoError(t, err)
	require.True(t, at.Equal(b.time), "header time %s", b.time)
	require.Equal(t, []committedTx{
		{hash: txHash(txs[0]), code: 0, gasUsed: 65_739},
		{hash: txHash(txs[1]), code: 5, codespace: "sdk", gasUsed: 41_200},
	}, b.txs)

	// The tracker retries a block whose results are not stored yet: it
	// recognises the error by this text.
	_, err = n.committedBlock(context.Background(), 8)
	require.ErrorContains(t, err, "could not find results")
}

func TestCommittedBlockRejectsMismatchedResults(t *testing.T) {
	txs := cmttypes.Txs{cmttypes.Tx("only tx")}
	n := fakeRPC(t, txs, []*abci.ExecTxResult{{}, {}}, time.Unix(0, 0).UTC())
	_, err := n.committedBlock(context.Background(), 7)
	require.ErrorContains(t, err, "1 transactions but 2 results")
}
