package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// committedBlock is what the tracker needs of a committed block: its header
// time and each transaction's hash and result.
type committedBlock struct {
	time time.Time
	txs  []committedTx
}

type committedTx struct {
	hash      string
	code      uint32
	codespace string
	gasUsed   int64
}

// The parts of CometBFT's /block and /block_results replies the tracker
// reads. The RPC client decodes every event attribute of every result
// through reflection and jsonpb; for a block of 400 transactions that cost
// loadgen more CPU than signing and sending them, on the cores the
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

// committedBlock reads block h and its results. Until the block's results
// are stored (the block store is written before the block executes) it
// returns an error that contains "could not find results".
func (n *node) committedBlock(ctx context.Context, h int64) (committedBlock, error) {
	var block blockReply
	if err := rpcGet(ctx, n, "block", h, &block); err != nil {
		return committedBlock{}, err
	}
	var results blockResultsReply
	if err := rpcGet(ctx, n, "block_results", h, &results); err != nil {
		return committedBlock{}, err
	}
	txs := block.Block.Data.Txs
	if len(results.TxsResults) != len(txs) {
		return committedBlock{}, fmt.Errorf("block %d has %d transactions but %d results", h, len(txs), len(results.TxsResults))
	}
	out := committedBlock{time: block.Block.Header.Time, txs: make([]committedTx, len(txs))}
	for i, tx := range txs {
		r := results.TxsResults[i]
		out.txs[i] = committedTx{hash: txHash(tx), code: r.Code, codespace: r.Codespace, gasUsed: r.GasUsed}
	}
	return out, nil
}

// rpcGet calls a CometBFT JSON-RPC method with a height over HTTP GET and
// decodes its result into out.
func rpcGet[T any](ctx context.Context, n *node, method string, h int64, out *T) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.url+"/"+method+"?height="+strconv.FormatInt(h, 10), nil)
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
	return decodeReply(method, h, body, out)
}

// decodeReply decodes a JSON-RPC reply's result into out, or returns its
// error.
func decodeReply[T any](method string, h int64, body []byte, out *T) error {
	var reply rpcReply[T]
	reply.Result = out
	if err := json.Unmarshal(body, &reply); err != nil {
		return fmt.Errorf("%s %d: %w", method, h, err)
	}
	if reply.Error != nil {
		return fmt.Errorf("%s %d: %s: %s", method, h, reply.Error.Message, reply.Error.Data)
	}
	if reply.Result == nil {
		return fmt.Errorf("%s %d: empty reply", method, h)
	}
	return nil
}
