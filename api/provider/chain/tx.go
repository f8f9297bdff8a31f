package chain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc"

	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// txState is the provider account's number and next sequence, cached
// between transactions (the node is the only sender it knows of; a
// mismatch means someone else used the key, and is handled by re-reading).
type txState struct {
	mu       sync.Mutex
	known    bool
	number   uint64
	sequence uint64
}

// TxResult is an included transaction.
type TxResult struct {
	Hash    string
	Height  int64
	GasUsed int64
	data    []byte // sdk.TxMsgData: the messages' responses
}

// TxError is a transaction the chain refused (at CheckTx or in its block).
type TxError struct {
	Hash      string // empty when refused before broadcast (simulation)
	Codespace string
	Code      uint32
	Log       string
	// Included is true when the transaction is in a block (its fee was paid).
	Included bool
}

func (e *TxError) Error() string {
	where := "refused at check"
	if e.Included {
		where = "failed in its block"
	}
	return fmt.Sprintf("transaction %s %s: %s code %d: %s", e.Hash, where, e.Codespace, e.Code, e.Log)
}

// IsSequenceMismatch: the chain expected another account sequence.
func (e *TxError) IsSequenceMismatch() bool {
	return e.Codespace == sdkerrors.ErrWrongSequence.Codespace() && e.Code == sdkerrors.ErrWrongSequence.ABCICode()
}

// ErrTxNotIncluded: a broadcast transaction was not found in a block within
// the configured timeout. It may still be included later.
var ErrTxNotIncluded = errors.New("transaction not included in time")

// pollTx is how often a broadcast transaction is looked up.
const pollTx = 500 * time.Millisecond

// Send signs msgs as one transaction with the provider's key (SIGN_MODE_DIRECT,
// gas from simulation), broadcasts it, waits until a block includes it and
// checks its result. On an account sequence mismatch it re-reads the account
// and tries once more. Transactions are sent one at a time.
func (c *Client) Send(ctx context.Context, msgs ...sdk.Msg) (*TxResult, error) {
	c.tx.mu.Lock()
	defer c.tx.mu.Unlock()
	res, err := c.sendLocked(ctx, msgs)
	if isSequenceMismatch(err) {
		c.logger.Info("account sequence mismatch; re-reading the account and retrying once", "err", err)
		c.tx.known = false
		res, err = c.sendLocked(ctx, msgs)
	}
	return res, err
}

func isSequenceMismatch(err error) bool {
	var txErr *TxError
	if errors.As(err, &txErr) {
		return txErr.IsSequenceMismatch()
	}
	// Simulation reports it as a gRPC error.
	return err != nil && strings.Contains(err.Error(), "account sequence mismatch")
}

func (c *Client) sendLocked(ctx context.Context, msgs []sdk.Msg) (*TxResult, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	if !c.tx.known {
		if err := c.readAccount(ctx); err != nil {
			return nil, err
		}
	}
	txf := clienttx.Factory{}.
		WithTxConfig(c.cfg.TxConfig).
		WithKeybase(c.cfg.Keyring).
		WithFromName(c.cfg.KeyName).
		WithChainID(chainID).
		WithAccountNumber(c.tx.number).
		WithSequence(c.tx.sequence).
		WithGasPrices(c.cfg.GasPrices).
		WithGasAdjustment(c.cfg.GasAdjustment).
		WithSimulateAndExecute(true).
		WithSignMode(signing.SignMode_SIGN_MODE_DIRECT)

	_, gas, err := clienttx.CalculateGas(timeoutConn{c.conn}, txf, msgs...)
	if err != nil {
		return nil, fmt.Errorf("simulating the transaction: %w", err)
	}
	txf = txf.WithGas(gas)
	builder, err := txf.BuildUnsignedTx(msgs...)
	if err != nil {
		return nil, fmt.Errorf("building the transaction: %w", err)
	}
	if err := clienttx.Sign(ctx, txf, c.cfg.KeyName, builder, true); err != nil {
		return nil, fmt.Errorf("signing with key %q: %w", c.cfg.KeyName, err)
	}
	bz, err := c.cfg.TxConfig.TxEncoder()(builder.GetTx())
	if err != nil {
		return nil, fmt.Errorf("encoding the transaction: %w", err)
	}

	bctx, cancel := context.WithTimeout(ctx, callTimeout)
	res, err := c.rpc.BroadcastTxSync(bctx, bz)
	cancel()
	if err != nil {
		// Unknown whether the node took it: read the sequence again next time.
		c.tx.known = false
		return nil, fmt.Errorf("broadcasting to %s: %w", c.cfg.RPCAddress, err)
	}
	hash := res.Hash.String()
	if res.Code != 0 {
		return nil, &TxError{Hash: hash, Codespace: res.Codespace, Code: res.Code, Log: res.Log}
	}
	// Accepted into the mempool: the account's next sequence is ours+1,
	// whatever the transaction's fate in its block.
	c.tx.sequence++
	return c.wait(ctx, res.Hash)
}

// wait polls the RPC node until the transaction is in a block.
func (c *Client) wait(ctx context.Context, raw []byte) (*TxResult, error) {
	deadline := time.Now().Add(c.cfg.TxTimeout)
	hash := fmt.Sprintf("%X", raw)
	for {
		qctx, cancel := context.WithTimeout(ctx, callTimeout)
		res, err := c.rpc.Tx(qctx, raw, false)
		cancel()
		if err == nil {
			r := res.TxResult
			if r.Code != 0 {
				return nil, &TxError{Hash: hash, Codespace: r.Codespace, Code: r.Code, Log: r.Log, Included: true}
			}
			return &TxResult{Hash: hash, Height: res.Height, GasUsed: r.GasUsed, data: r.Data}, nil
		}
		if time.Now().After(deadline) {
			// It may be evicted or included later: re-read the sequence.
			c.tx.known = false
			return nil, fmt.Errorf("%w: %s after %s (last lookup: %v)", ErrTxNotIncluded, hash, c.cfg.TxTimeout, err)
		}
		select {
		case <-ctx.Done():
			c.tx.known = false
			return nil, ctx.Err()
		case <-time.After(pollTx):
		}
	}
}

// MsgResponse decodes the i-th message's response of an included
// transaction into out.
func (r *TxResult) MsgResponse(i int, out proto.Message) error {
	var data sdk.TxMsgData
	if err := proto.Unmarshal(r.data, &data); err != nil {
		return fmt.Errorf("transaction %s: result data: %w", r.Hash, err)
	}
	if i >= len(data.MsgResponses) {
		return fmt.Errorf("transaction %s has %d message responses, not %d", r.Hash, len(data.MsgResponses), i+1)
	}
	return proto.Unmarshal(data.MsgResponses[i].Value, out)
}

// readAccount reads the provider account's number and sequence.
func (c *Client) readAccount(ctx context.Context) error {
	res, err := call(ctx, func(ctx context.Context) (*authtypes.QueryAccountResponse, error) {
		return c.auth.Account(ctx, &authtypes.QueryAccountRequest{Address: c.address.String()})
	})
	if IsNotFound(err) {
		return fmt.Errorf("the provider account %s does not exist on chain yet (send it some uflash)", c.address)
	}
	if err != nil {
		return fmt.Errorf("reading the provider account: %w", err)
	}
	var acc sdk.AccountI
	if err := c.cfg.InterfaceRegistry.UnpackAny(res.Account, &acc); err != nil {
		return fmt.Errorf("decoding the provider account: %w", err)
	}
	c.tx.number, c.tx.sequence, c.tx.known = acc.GetAccountNumber(), acc.GetSequence(), true
	return nil
}

// timeoutConn gives every call through it the query timeout: the SDK's
// CalculateGas calls with context.Background().
type timeoutConn struct{ conn *grpc.ClientConn }

func (t timeoutConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return t.conn.Invoke(ctx, method, args, reply, opts...)
}

func (t timeoutConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return t.conn.NewStream(ctx, desc, method, opts...)
}
