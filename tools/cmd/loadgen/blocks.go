package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// committedBlock is what the tracker needs of a block while the load runs:
// its header time and its transactions' hashes.
type committedBlock struct {
	time   time.Time
	hashes []string
}

// txResult is what the report needs of a transaction's result.
type txResult struct {
	code      uint32
	codespace string
	gasUsed   int64
}

// The parts of CometBFT's /abci_info, /block and /block_results replies
// loadgen reads. The RPC client decodes every event attribute of every
// result through reflection and jsonpb; for a block of 400 transactions that
// cost loadgen more CPU than signing and sending them, on the cores the
// validators under test share. Decoding into these small structs skips the
// rest of the reply.
type (
	rpcReply[T any] struct {
		Result *T `json:"result"`
		Error  *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	abciInfoReply struct {
		Response struct {
			LastBlockHeight int64 `json:"last_block_height,string"`
		} `json:"response"`
	}
	blockReply struct {
		Block struct {
			Header struct {
				Time time.Time `json:"time"`
			} `json:"header"`
			Data struct {
				Txs [][]byte `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	blockResultsReply struct {
		TxsResults []struct {
			Code      uint32 `json:"code"`
			Codespace string `json:"codespace"`
			GasUsed   int64  `json:"gas_used,string"`
		} `json:"txs_results"`
	}
)

// executedHeight is the last height the node's application has executed and
// committed (ABCI Info): from then on the block's results are stored.
// CometBFT's /status reports the block store's height instead, which runs
// ahead of execution.
func (n *node) executedHeight(ctx context.Context) (int64, error) {
	var info abciInfoReply
	if err := rpcGet(ctx, n, "abci_info", nil, &info); err != nil {
		return 0, err
	}
	return info.Response.LastBlockHeight, nil
}

// block reads block h's header time and transaction hashes.
func (n *node) block(ctx context.Context, h int64) (committedBlock, error) {
	var block blockReply
	if err := rpcGet(ctx, n, "block", url.Values{"height": {strconv.FormatInt(h, 10)}}, &block); err != nil {
		return committedBlock{}, err
	}
	out := committedBlock{time: block.Block.Header.Time, hashes: make([]string, len(block.Block.Data.Txs))}
	for i, tx := range block.Block.Data.Txs {
		out.hashes[i] = txHash(tx)
	}
	return out, nil
}

// results reads the results of block h's txs transactions. Until the block
// has executed it returns an error that contains "could not find results".
func (n *node) results(ctx context.Context, h int64, txs int) ([]txResult, error) {
	var reply blockResultsReply
	if err := rpcGet(ctx, n, "block_results", url.Values{"height": {strconv.FormatInt(h, 10)}}, &reply); err != nil {
		return nil, err
	}
	if len(reply.TxsResults) != txs {
		return nil, fmt.Errorf("block %d has %d transactions but %d results", h, txs, len(reply.TxsResults))
	}
	out := make([]txResult, txs)
	for i, r := range reply.TxsResults {
		out[i] = txResult{code: r.Code, codespace: r.Codespace, gasUsed: r.GasUsed}
	}
	return out, nil
}

// rpcGet calls a CometBFT JSON-RPC method over HTTP GET and decodes its
// result into out.
func rpcGet[T any](ctx context.Context, n *node, method string, query url.Values, out *T) error {
	target := n.url + "/" + method
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := n.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return decodeReply(method+" "+query.Get("height"), body, out)
}

// decodeReply decodes a JSON-RPC reply's result into out, or returns its
// error.
func decodeReply[T any](what string, body []byte, out *T) error {
	var reply rpcReply[T]
	reply.Result = out
	if err := json.Unmarshal(body, &reply); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if reply.Error != nil {
		return fmt.Errorf("%s: %s: %s", what, reply.Error.Message, reply.Error.Data)
	}
	if reply.Result == nil {
		return fmt.Errorf("%s: empty reply", what)
	}
	return nil
}
