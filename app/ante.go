package app

import (
	"github.com/cosmos/cosmos-sdk/x/auth/ante"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// verifiedTxsCapacity bounds the verify-once cache (verify_once.go): a
// transaction waits in the mempool between its CheckTx and its block, and
// the mempool holds at most 2,000 (cmd/flashbackd/cmd/config.go). An
// evicted entry only means one more signature check.
const verifiedTxsCapacity = 8192

// setAnteHandler installs the SDK's standard ante chain (x/auth's
// NewAnteHandler, decorator for decorator) with one change: the signature
// check runs through verifyOnce, so that a block does not check again the
// signatures this node checked when the transaction entered its mempool.
// On every SDK bump, compare this list with x/auth/ante/ante.go's
// NewAnteHandler: a decorator added there is not added here by itself.
func (app *App) setAnteHandler() {
	ak, bk := app.AccountKeeper, app.BankKeeper
	app.verifiedTxs = newVerifiedTxs(verifiedTxsCapacity)
	app.SetAnteHandler(sdk.ChainAnteDecorators(
		ante.NewSetUpContextDecorator(), // first: sets the gas meter
		ante.NewExtensionOptionsDecorator(nil),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(ak),
		ante.NewConsumeGasForTxSizeDecorator(ak),
		ante.NewDeductFeeDecorator(ak, bk, app.FeeGrantKeeper, nil),
		ante.NewSetPubKeyDecorator(ak), // before any signature check
		ante.NewValidateSigCountDecorator(ak),
		ante.NewSigGasConsumeDecorator(ak, ante.DefaultSigVerificationGasConsumer),
		newVerifyOnceDecorator(ak, app.verifiedTxs,
			ante.NewSigVerificationDecorator(ak, app.txConfig.SignModeHandler())),
		ante.NewIncrementSequenceDecorator(ak),
	))
}
