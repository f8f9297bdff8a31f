package app

import (
	"crypto/sha256"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/spf13/cast"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	servertypes "github.com/cosmos/cosmos-sdk/server/types"
)

// mempoolAdmission refuses a new transaction in CheckTx, before the ante
// handler runs, when CometBFT's mempool has no room for it.
//
// Why: CometBFT v0.38 checks that its mempool has room before calling
// CheckTx and again after, and when the second check fails (concurrent
// broadcasts filled the last places meanwhile) it drops the transaction but
// still reports the application's code 0 to the client. The application's
// check state has by then advanced the sender's sequence: the client thinks
// the transaction was accepted, it never will be, and the sender's next
// transaction passes CheckTx and is evicted at the next recheck (its
// predecessor is missing), and so on until the client resynchronises. On the
// overloaded 4-validator localnet (500 tx/s offered) 403–1,235 transactions
// reported as accepted were never included (docs/FAULTS.md, "Overload").
// Refused here, a transaction changes nothing: the client gets "mempool is
// full" (sdk code 20) and sends the same sequence again.
//
// How it knows the mempool: after every Commit CometBFT rechecks each
// transaction it still holds (recheck = true, the default), before any new
// one, so the transactions that pass a recheck plus the new ones accepted
// since are exactly its mempool, less what it refused on its own (a
// duplicate, or its second check): never fewer than it holds. The bound
// is read from config.toml's [mempool] size and max_txs_bytes; without them
// (in-process test apps) nothing is refused. With recheck off the count
// covers only the transactions accepted since the last block, and CometBFT's
// own checks are the only bound.
type mempoolAdmission struct {
	maxTxs   int
	maxBytes int64

	mu      sync.Mutex
	pending map[[sha256.Size]byte]int64 // tx hash → size
	bytes   int64
}

// newMempoolAdmission reads the mempool bounds from the node's config.
func newMempoolAdmission(appOpts servertypes.AppOptions) *mempoolAdmission {
	return &mempoolAdmission{
		maxTxs:   cast.ToInt(appOpts.Get("mempool.size")),
		maxBytes: cast.ToInt64(appOpts.Get("mempool.max_txs_bytes")),
		pending:  map[[sha256.Size]byte]int64{},
	}
}

// full reports whether a new transaction of size bytes would exceed a bound.
func (m *mempoolAdmission) full(size int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return (m.maxTxs > 0 && len(m.pending) >= m.maxTxs) ||
		(m.maxBytes > 0 && m.bytes+int64(size) > m.maxBytes)
}

// add counts a transaction CheckTx accepted (new or rechecked).
func (m *mempoolAdmission) add(tx []byte) {
	key := sha256.Sum256(tx)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.pending[key]; !ok {
		m.pending[key] = int64(len(tx))
		m.bytes += int64(len(tx))
	}
}

// reset starts the count again after a Commit: the recheck that follows
// adds back what CometBFT still holds.
func (m *mempoolAdmission) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.pending)
	m.bytes = 0
}

// CheckTx is BaseApp's, behind the mempool admission.
func (app *App) CheckTx(req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if req.Type == abci.CheckTxType_New && app.admission.full(len(req.Tx)) {
		return sdkerrors.ResponseCheckTxWithEvents(sdkerrors.ErrMempoolIsFull, 0, 0, nil, false), nil
	}
	res, err := app.BaseApp.CheckTx(req)
	if err == nil && res.Code == abci.CodeTypeOK {
		app.admission.add(req.Tx)
	}
	return res, err
}

// Commit is BaseApp's; the mempool count starts again for the recheck.
func (app *App) Commit() (*abci.ResponseCommit, error) {
	res, err := app.BaseApp.Commit()
	app.admission.reset()
	return res, err
}
