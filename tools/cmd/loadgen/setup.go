package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cosmos/cosmos-sdk/client"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// gen signs and submits transactions.
type gen struct {
	txCfg   client.TxConfig
	chainID string
	nodes   []*node
	logf    func(string, ...any)
}

// loadSeed reads the key that `testnet init-files` saved as <name>_seed.json
// in node0's home.
func loadSeed(home, name string) (*txgen.Account, error) {
	path := filepath.Join(home, "homes", "node0", name+"_seed.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var seed struct{ Address, Mnemonic string }
	if err := json.Unmarshal(raw, &seed); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, err := txgen.KeyFromMnemonic(seed.Mnemonic)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	acc := txgen.NewAccount(priv)
	if acc.Addr.String() != seed.Address {
		return nil, fmt.Errorf("%s: the mnemonic gives %s, not %s", path, acc.Addr, seed.Address)
	}
	return acc, nil
}

// submit signs msgs as one transaction of acc at its next sequence and
// broadcasts it (sync) to n. On a sequence mismatch it takes the sequence
// CheckTx expected and retries once.
func (g *gen) submit(ctx context.Context, n *node, acc *txgen.Account, gas uint64, msgs ...sdk.Msg) (string, error) {
	for attempt := 0; ; attempt++ {
		bz, err := txgen.Sign(g.txCfg, g.chainID, acc, acc.Seq, gas, "loadgen setup", msgs...)
		if err != nil {
			return "", err
		}
		res, err := n.client.BroadcastTxSync(ctx, bz)
		if err != nil {
			return "", err
		}
		if res.Code == 0 {
			acc.Seq++
			return txHash(bz), nil
		}
		if res.Codespace == codespaceSDK && res.Code == codeWrongSequence && attempt == 0 {
			if seq, ok := expectedSequence(res.Log); ok {
				acc.Seq = seq
				continue
			}
		}
		return "", fmt.Errorf("CheckTx of %T from %s: code %d (%s): %s", msgs[0], acc.Addr, res.Code, res.Codespace, res.Log)
	}
}

// wait returns the results of committed transactions, polling until all are
// in a block or the timeout passes.
func (g *gen) wait(ctx context.Context, n *node, hashes []string, timeout time.Duration) ([]*abci.ExecTxResult, error) {
	out := make([]*abci.ExecTxResult, len(hashes))
	deadline := time.Now().Add(timeout)
	for i, h := range hashes {
		raw, err := hex.DecodeString(h)
		if err != nil {
			return nil, err
		}
		for {
			res, err := n.client.Tx(ctx, raw, false)
			if err == nil {
				r := res.TxResult
				out[i] = &r
				break
			}
			if !strings.Contains(err.Error(), "not found") {
				return nil, err
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("tx %s not committed after %s", h, timeout)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	return out, nil
}

// okOr checks that a result is a success or one of the allowed
// "already done" errors of a codespace (for re-runs on the same network).
func okOr(r *abci.ExecTxResult, codespace string, allowed ...uint32) error {
	if r.Code == 0 {
		return nil
	}
	if r.Codespace == codespace {
		for _, c := range allowed {
			if r.Code == c {
				return nil
			}
		}
	}
	return fmt.Errorf("code %d (%s): %s", r.Code, r.Codespace, r.Log)
}

func msgResponse(r *abci.ExecTxResult, resp interface{ Unmarshal([]byte) error }) error {
	var data sdk.TxMsgData
	if err := data.Unmarshal(r.Data); err != nil {
		return err
	}
	if len(data.MsgResponses) != 1 {
		return fmt.Errorf("%d message responses", len(data.MsgResponses))
	}
	return resp.Unmarshal(data.MsgResponses[0].Value)
}

// setupGas is the gas limit of single-message setup transactions.
const setupGas = 500_000

// Setup parameters: deals for top-ups are 10 GB for a year with a month
// deposited, which leaves room for ~2,000 top-ups of 1,000 uflash each.
const (
	topUpDealGB   = 10
	topUpDealTerm = 365 * 24 * time.Hour
	unitCapacity  = 100_000_000
)

// setup funds the load accounts from spare, registers them as consumers,
// registers provider with units (endpoint: a local probe target) and gives
// every account a running deal to top up. Nothing here is measured.
func (g *gen) setup(ctx context.Context, spare, provider *txgen.Account, loads []*loadAccount, fund int64, units int, endpoint string) ([]uint64, error) {
	n0 := g.nodes[0]
	if err := n0.syncAccount(ctx, spare); err != nil {
		return nil, fmt.Errorf("spare: %w", err)
	}
	if err := n0.syncAccount(ctx, provider); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}

	// 1. Fund the accounts that hold less than half of fund.
	var outputs []banktypes.Output
	for _, a := range loads {
		bal, err := n0.balance(ctx, a.Addr)
		if err != nil {
			return nil, err
		}
		if bal < fund/2 {
			outputs = append(outputs, banktypes.Output{Address: a.Addr.String(), Coins: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, fund))})
		}
	}
	var hashes []string
	const chunk = 100
	for start := 0; start < len(outputs); start += chunk {
		outs := outputs[start:min(start+chunk, len(outputs))]
		total := sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, fund*int64(len(outs))))
		msg := &banktypes.MsgMultiSend{Inputs: []banktypes.Input{{Address: spare.Addr.String(), Coins: total}}, Outputs: outs}
		h, err := g.submit(ctx, n0, spare, 300_000+uint64(len(outs))*60_000, msg)
		if err != nil {
			return nil, fmt.Errorf("funding: %w", err)
		}
		hashes = append(hashes, h)
	}
	if err := g.waitOK(ctx, n0, "funding", hashes); err != nil {
		return nil, err
	}
	g.logf("setup: funded %d of %d accounts with %d uflash from spare", len(outputs), len(loads), fund)
	for _, a := range loads {
		if err := n0.syncAccount(ctx, a.Account); err != nil {
			return nil, err
		}
	}

	// 2. Consumers (ErrConsumerExists, code 7, is fine on a re-run).
	hashes = hashes[:0]
	for _, a := range loads {
		h, err := g.submit(ctx, n0, a.Account, setupGas, txgen.ConsumerMsg(a.Addr))
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	results, err := g.wait(ctx, n0, hashes, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	for i, r := range results {
		if err := okOr(r, orchestratortypes.ModuleName, orchestratortypes.ErrConsumerExists.ABCICode()); err != nil {
			return nil, fmt.Errorf("registering consumer %d: %w", i, err)
		}
	}
	g.logf("setup: %d consumers registered", len(loads))

	// 3. The provider (ErrProviderExists is fine) and fresh units.
	h, err := g.submit(ctx, n0, provider, setupGas, txgen.ProviderMsg(provider.Addr, 1_000_000_000))
	if err != nil {
		return nil, err
	}
	results, err = g.wait(ctx, n0, []string{h}, time.Minute)
	if err != nil {
		return nil, err
	}
	if err := okOr(results[0], orchestratortypes.ModuleName, orchestratortypes.ErrProviderExists.ABCICode()); err != nil {
		return nil, fmt.Errorf("registering the provider: %w", err)
	}
	hashes = hashes[:0]
	for i := 0; i < units; i++ {
		h, err := g.submit(ctx, n0, provider, setupGas, txgen.UnitMsg(provider.Addr, unitCapacity, endpoint))
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	results, err = g.wait(ctx, n0, hashes, time.Minute)
	if err != nil {
		return nil, err
	}
	var unitIDs []uint64
	for _, r := range results {
		if err := okOr(r, ""); err != nil {
			return nil, fmt.Errorf("creating a unit: %w", err)
		}
		var resp orchestratortypes.MsgCreateDataUnitResponse
		if err := msgResponse(r, &resp); err != nil {
			return nil, err
		}
		unitIDs = append(unitIDs, resp.UnitId)
	}
	g.logf("setup: provider %s with units %v (endpoint %s)", provider.Addr, unitIDs, endpoint)

	// 4. One running deal per account, for the top-ups.
	hashes = hashes[:0]
	for i, a := range loads {
		h, err := g.submit(ctx, n0, a.Account, setupGas, txgen.DealMsg(a.Addr, unitIDs[i%len(unitIDs)], topUpDealGB, topUpDealTerm))
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	results, err = g.wait(ctx, n0, hashes, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	hashes = hashes[:0]
	for i, r := range results {
		if err := okOr(r, ""); err != nil {
			return nil, fmt.Errorf("requesting a deal: %w", err)
		}
		var resp orchestratortypes.MsgRequestDealResponse
		if err := msgResponse(r, &resp); err != nil {
			return nil, err
		}
		loads[i].deal = resp.DealId
		h, err := g.submit(ctx, n0, provider, setupGas, &orchestratortypes.MsgAcceptDeal{Provider: provider.Addr.String(), DealId: resp.DealId})
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	if err := g.waitOK(ctx, n0, "accepting deals", hashes); err != nil {
		return nil, err
	}
	g.logf("setup: %d deals running", len(loads))

	// The measured phase reads sequences from here on.
	for _, a := range loads {
		if err := n0.syncAccount(ctx, a.Account); err != nil {
			return nil, err
		}
	}
	return unitIDs, nil
}

func (g *gen) waitOK(ctx context.Context, n *node, what string, hashes []string) error {
	results, err := g.wait(ctx, n, hashes, 2*time.Minute)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, r := range results {
		if err := okOr(r, ""); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}
