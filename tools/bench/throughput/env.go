package throughput

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cosmos/cosmos-sdk/client"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Env is what workloads see: the app, the funded accounts in their roles
// and helpers that deliver setup transactions.
type Env struct {
	App   *apptest.TestApp
	TxCfg client.TxConfig

	// Accounts are every funded account; Providers (each with one data unit,
	// Units[i] being Providers[i]'s) and Consumers (registered) split them.
	Accounts  []*txgen.Account
	Providers []*txgen.Account
	Consumers []*txgen.Account
	Units     []uint64

	// PerBlock is the number of transactions of a measured block.
	PerBlock int

	setupBlockTxs int
	log           io.Writer
}

// Tx is one message signed by Signer (one message per transaction).
type Tx struct {
	Signer *txgen.Account
	Msg    sdk.Msg
}

// setupGas is the gas limit of setup transactions: generous, since setup is
// not measured (gas is charged on what is used).
const setupGas = 2_000_000

func (e *Env) logf(format string, args ...any) {
	if e.log != nil {
		fmt.Fprintf(e.log, format+"\n", args...)
	}
}

// Deliver signs txs at their signers' next sequences, executes them in
// setup blocks (not measured) and returns their results in order. Any
// result code other than 0 is an error.
func (e *Env) Deliver(what string, txs []Tx) ([]*abci.ExecTxResult, error) {
	planned := make([]plannedTx, len(txs))
	for i, tx := range txs {
		planned[i] = plannedTx{acc: tx.Signer, seq: tx.Signer.Seq, gas: setupGas, msg: tx.Msg}
		tx.Signer.Seq++
	}
	encoded, err := e.signAll(planned)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	results := make([]*abci.ExecTxResult, 0, len(txs))
	for start := 0; start < len(encoded); start += e.setupBlockTxs {
		end := min(start+e.setupBlockTxs, len(encoded))
		res, _, _, err := e.execBlock(encoded[start:end])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if err := checkCodes(res, e.App.Height); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		results = append(results, res.TxResults...)
	}
	e.logf("  setup: %s: %d txs, height %d", what, len(txs), e.App.Height)
	return results, nil
}

// AdvanceTime commits one empty block d after the last one.
func (e *Env) AdvanceTime(d time.Duration) error {
	saved := e.App.BlockTime
	e.App.BlockTime = d
	defer func() { e.App.BlockTime = saved }()
	_, _, _, err := e.execBlock(nil)
	return err
}

// execBlock runs FinalizeBlock and Commit on txs as the next block and
// times each call. The request is built before the clock starts.
func (e *Env) execBlock(txs [][]byte) (*abci.ResponseFinalizeBlock, time.Duration, time.Duration, error) {
	a := e.App
	req := &abci.RequestFinalizeBlock{
		Height:             a.Height + 1,
		Time:               a.Time.Add(a.BlockTime),
		Txs:                txs,
		ProposerAddress:    a.ValSet.Proposer.Address,
		NextValidatorsHash: a.ValSet.Hash(),
	}
	t0 := time.Now()
	res, err := a.FinalizeBlock(req)
	t1 := time.Now()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("FinalizeBlock at height %d: %w", req.Height, err)
	}
	if _, err := a.Commit(); err != nil {
		return nil, 0, 0, fmt.Errorf("Commit at height %d: %w", req.Height, err)
	}
	t2 := time.Now()
	a.Height = req.Height
	a.Time = req.Time
	return res, t1.Sub(t0), t2.Sub(t1), nil
}

// checkCodes fails on the first transaction whose result code is not 0: a
// failed transaction must never count as throughput.
func checkCodes(res *abci.ResponseFinalizeBlock, height int64) error {
	failed := 0
	var first string
	for i, r := range res.TxResults {
		if r.Code != 0 {
			if failed == 0 {
				first = fmt.Sprintf("tx %d: code %d (codespace %q, gas %d/%d): %s", i, r.Code, r.Codespace, r.GasUsed, r.GasWanted, r.Log)
			}
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("block %d: %d of %d transactions failed; first %s", height, failed, len(res.TxResults), first)
	}
	return nil
}

// plannedTx is a transaction whose sequence is fixed, ready to sign.
type plannedTx struct {
	acc *txgen.Account
	seq uint64
	gas uint64
	msg sdk.Msg
}

// signAll signs planned transactions on every core (outside any timer).
func (e *Env) signAll(planned []plannedTx) ([][]byte, error) {
	out := make([][]byte, len(planned))
	errs := make([]error, runtime.NumCPU())
	var wg sync.WaitGroup
	next := make(chan int, len(planned))
	for i := range planned {
		next <- i
	}
	close(next)
	for w := range errs {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range next {
				p := planned[i]
				bz, err := txgen.Sign(e.TxCfg, apptest.ChainID, p.acc, p.seq, p.gas, "", p.msg)
				if err != nil {
					errs[w] = fmt.Errorf("signing tx %d (%T): %w", i, p.msg, err)
					return
				}
				out[i] = bz
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Deal is a deal made in setup.
type Deal struct {
	ID                 uint64
	Provider, Consumer *txgen.Account
}

// dealCapacityGB and the terms of setup deals: 100 GB at 20,000 uflash per
// GB-month is 2,000,000 uflash per month.
const dealCapacityGB = 100

// MakeDeals requests n deals in setup blocks and, when accept is set, has
// their providers accept them. Deal s is on Units[s % providers] with
// Consumers[(consumerOffset + s) % consumers], so that the deals of one
// measured block (PerBlock consecutive slots) have distinct providers and
// consumers when PerBlock ≤ both counts.
func (e *Env) MakeDeals(what string, n, consumerOffset int, term time.Duration, accept bool) ([]Deal, error) {
	deals := make([]Deal, n)
	requests := make([]Tx, n)
	for s := range deals {
		p := s % len(e.Providers)
		deals[s].Provider = e.Providers[p]
		deals[s].Consumer = e.Consumers[(consumerOffset+s)%len(e.Consumers)]
		requests[s] = Tx{Signer: deals[s].Consumer, Msg: txgen.DealMsg(deals[s].Consumer.Addr, e.Units[p], dealCapacityGB, term)}
	}
	results, err := e.Deliver(what+": request deals", requests)
	if err != nil {
		return nil, err
	}
	for s, r := range results {
		var resp orchestratortypes.MsgRequestDealResponse
		if err := unpackResponse(e, r, &resp); err != nil {
			return nil, fmt.Errorf("%s: deal %d: %w", what, s, err)
		}
		deals[s].ID = resp.DealId
	}
	if !accept {
		return deals, nil
	}
	accepts := make([]Tx, n)
	for s, d := range deals {
		accepts[s] = Tx{Signer: d.Provider, Msg: &orchestratortypes.MsgAcceptDeal{Provider: d.Provider.Addr.String(), DealId: d.ID}}
	}
	if _, err := e.Deliver(what+": accept deals", accepts); err != nil {
		return nil, err
	}
	return deals, nil
}

// unpackResponse decodes the first message response of a transaction result.
func unpackResponse(e *Env, r *abci.ExecTxResult, resp interface{ Unmarshal([]byte) error }) error {
	var data sdk.TxMsgData
	if err := e.App.AppCodec().Unmarshal(r.Data, &data); err != nil {
		return err
	}
	if len(data.MsgResponses) != 1 {
		return fmt.Errorf("%d message responses", len(data.MsgResponses))
	}
	return resp.Unmarshal(data.MsgResponses[0].Value)
}
