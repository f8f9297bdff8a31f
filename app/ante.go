package app

import (
	"fmt"

	"github.com/cosmos/cosmos-sdk/x/auth/ante"
)

// setAnteHandler installs the SDK's standard ante handler. Signatures are
// checked the SDK's way on every execution: a node-local shortcut (skipping
// in FinalizeBlock what CheckTx verified) made nodes disagree, because
// CheckTx checks signatures as at genesis until a restarted node's first
// commit (TestSameBlockSameResultOnEveryNode).
func (app *App) setAnteHandler() {
	handler, err := ante.NewAnteHandler(ante.HandlerOptions{
		AccountKeeper:   app.AccountKeeper,
		BankKeeper:      app.BankKeeper,
		FeegrantKeeper:  app.FeeGrantKeeper,
		SignModeHandler: app.txConfig.SignModeHandler(),
		SigGasConsumer:  ante.DefaultSigVerificationGasConsumer,
	})
	if err != nil {
		panic(fmt.Errorf("ante handler: %w", err))
	}
	app.SetAnteHandler(handler)
}
