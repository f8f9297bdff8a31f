package app

import (
	"crypto/sha256"
	"encoding/binary"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"

	storetypes "cosmossdk.io/store/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
)

// Verify once.
//
// Every node checks a transaction's signatures when it enters the mempool
// (CheckTx) and again when a block executes it (FinalizeBlock): on a
// 4-validator localnet, secp256k1 verification was 18 % of each node's CPU,
// half of it repeating a check the node had already made. verifyOnce
// remembers, per node and in memory only, the transactions whose signatures
// CheckTx verified, and lets FinalizeBlock skip verifying those again
// through the SDK's own switch for it, ctx.IsSigverifyTx() (the convention
// x/auth's decorators honour for this purpose).
//
// Why this cannot change a block's outcome: signature verification is a
// pure function of the transaction's bytes, the chain id, and each signer's
// account number and public key. The cache key is a hash of exactly these,
// read from the state the block executes on, so an entry exists only if the
// same check, with the same inputs, already succeeded. Everything else the
// signature decorator checks (signer count, sequences) still runs. Reading
// the key costs no gas (an infinite gas meter), so gas used, events and
// state are the same whether or not a node had the transaction in its
// mempool; TestVerifyOnceSameBlockResults runs one block on a node that saw
// the transactions in CheckTx and one that did not and compares them.

// verifiedTxs is a bounded set of verify-once keys. Entries are removed when
// FinalizeBlock uses them (a transaction is executed once) or evicted when
// the set is full (the next check then verifies again).
type verifiedTxs struct {
	keys *lru.Cache[[sha256.Size]byte, struct{}] // safe for concurrent use
	hits atomic.Uint64                           // FinalizeBlock checks skipped
}

func newVerifiedTxs(capacity int) *verifiedTxs {
	keys, err := lru.New[[sha256.Size]byte, struct{}](capacity)
	if err != nil {
		panic(err) // only for a capacity ≤ 0, a constant
	}
	return &verifiedTxs{keys: keys}
}

func (v *verifiedTxs) add(key [sha256.Size]byte) { v.keys.Add(key, struct{}{}) }

// take reports whether key is in the set, and removes it.
func (v *verifiedTxs) take(key [sha256.Size]byte) bool {
	if !v.keys.Remove(key) {
		return false
	}
	v.hits.Add(1)
	return true
}

// verifyOnceDecorator wraps the SDK's SigVerificationDecorator.
type verifyOnceDecorator struct {
	ak    ante.AccountKeeper
	cache *verifiedTxs
	inner ante.SigVerificationDecorator
}

func newVerifyOnceDecorator(ak ante.AccountKeeper, cache *verifiedTxs, inner ante.SigVerificationDecorator) verifyOnceDecorator {
	return verifyOnceDecorator{ak: ak, cache: cache, inner: inner}
}

func (d verifyOnceDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	checking := ctx.ExecMode() == sdk.ExecModeCheck && ctx.IsCheckTx() && !ctx.IsReCheckTx()
	finalizing := ctx.ExecMode() == sdk.ExecModeFinalize
	if simulate || !ctx.IsSigverifyTx() || (!checking && !finalizing) {
		return d.inner.AnteHandle(ctx, tx, simulate, next)
	}
	key, ok := d.key(ctx, tx)
	if !ok {
		return d.inner.AnteHandle(ctx, tx, simulate, next)
	}
	if finalizing && d.cache.take(key) {
		// Skip the signature check only; the flag is restored for the rest
		// of the chain and the messages.
		return d.inner.AnteHandle(ctx.WithIsSigverifyTx(false), tx, simulate,
			func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
				return next(ctx.WithIsSigverifyTx(true), tx, simulate)
			})
	}
	if checking {
		// The SDK decorator calls next only once every signature verified.
		return d.inner.AnteHandle(ctx, tx, simulate, func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
			d.cache.add(key)
			return next(ctx, tx, simulate)
		})
	}
	return d.inner.AnteHandle(ctx, tx, simulate, next)
}

// key hashes what a signature check depends on: the chain id, the
// transaction's bytes (body, auth info, signatures) and each signer's
// account number and public key in ctx's state. ok is false when a signer
// has no account or key yet: the SDK decorator then rejects the transaction
// itself.
func (d verifyOnceDecorator) key(ctx sdk.Context, tx sdk.Tx) (key [sha256.Size]byte, ok bool) {
	sigTx, isSigTx := tx.(authsigning.SigVerifiableTx)
	txBytes := ctx.TxBytes()
	if !isSigTx || len(txBytes) == 0 {
		return key, false
	}
	signers, err := sigTx.GetSigners()
	if err != nil || len(signers) == 0 {
		return key, false
	}
	// Reading the accounts must not cost gas: a node with the transaction
	// in its mempool and one without must use the same gas.
	free := ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	h := sha256.New()
	writeField(h.Write, []byte(ctx.ChainID()))
	writeField(h.Write, txBytes)
	var num [8]byte
	for _, signer := range signers {
		acc := d.ak.GetAccount(free, signer)
		if acc == nil || acc.GetPubKey() == nil {
			return key, false
		}
		pub := acc.GetPubKey()
		binary.BigEndian.PutUint64(num[:], acc.GetAccountNumber())
		writeField(h.Write, signer)
		writeField(h.Write, num[:])
		writeField(h.Write, []byte(pub.Type()))
		writeField(h.Write, pub.Bytes())
	}
	copy(key[:], h.Sum(nil))
	return key, true
}

// writeField writes b with its length, so that fields cannot run into each
// other.
func writeField(write func([]byte) (int, error), b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	_, _ = write(n[:])
	_, _ = write(b)
}

// SignatureChecksSkipped is how many times FinalizeBlock skipped a signature
// check that CheckTx had made on this node (since the node started).
func (app *App) SignatureChecksSkipped() uint64 { return app.verifiedTxs.hits.Load() }
