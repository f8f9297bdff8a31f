package abci

import (
	"bytes"
	"sync"

	storetypes "cosmossdk.io/store/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// InjectedTxGate tells the ante handler which transaction of the block being
// executed is the payload the PreBlocker read: the block's first
// transaction, once. Every node fills it from the same block in the same
// PreBlocker, so every node admits the same transaction.
type InjectedTxGate struct {
	mu      sync.Mutex
	height  int64
	payload []byte
}

// NewInjectedTxGate returns an empty gate.
func NewInjectedTxGate() *InjectedTxGate { return &InjectedTxGate{} }

// expect records the payload at index 0 of the block at height (nil: none).
func (g *InjectedTxGate) expect(height int64, payload []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.height, g.payload = height, payload
}

// admit reports whether tx is the expected payload of the block at height,
// and forgets it: a second copy in the same block is not admitted.
func (g *InjectedTxGate) admit(height int64, tx []byte) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	ok := g.payload != nil && g.height == height && bytes.Equal(g.payload, tx)
	if ok {
		g.payload = nil
	}
	return ok
}

// InjectedTxDecorator is the first ante decorator. A transaction that
// carries MsgInjectVoteExtensions is admitted only when it is the payload
// the PreBlocker read at index 0 of the block being executed: it then skips
// the rest of the chain (it has no signer, fee or gas limit) with a zero-gas
// meter and a context marked for the message's handler. Anywhere else —
// CheckTx, ReCheckTx, simulation, proposals, any other position in a
// block — it is refused with ErrInjectedOnly. Every other transaction goes
// through the SDK's chain unchanged.
type InjectedTxDecorator struct {
	gate *InjectedTxGate
}

// NewInjectedTxDecorator returns the decorator reading gate.
func NewInjectedTxDecorator(gate *InjectedTxGate) InjectedTxDecorator {
	return InjectedTxDecorator{gate: gate}
}

// AnteHandle implements sdk.AnteDecorator.
func (d InjectedTxDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if !carriesPayload(tx) {
		return next(ctx, tx, simulate)
	}
	if simulate || ctx.ExecMode() != sdk.ExecModeFinalize || !d.gate.admit(ctx.BlockHeight(), ctx.TxBytes()) {
		return ctx, types.ErrInjectedOnly.Wrap("it cannot be submitted, simulated or placed anywhere but first in a block")
	}
	return types.WithInjectedTx(ctx.WithGasMeter(storetypes.NewGasMeter(0))), nil
}
