package app

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"

	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
	reputationkeeper "github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
)

// setAnteHandler installs the SDK's standard ante handler behind one rule:
// the oracle's injected transaction (x/oracle/abci/ante.go) is admitted only
// as the payload at index 0 of the block being executed, and refused
// everywhere else. Signatures are checked the SDK's way on every execution:
// a node-local shortcut (skipping in FinalizeBlock what CheckTx verified)
// made nodes disagree, because CheckTx checks signatures as at genesis until
// a restarted node's first commit (TestSameBlockSameResultOnEveryNode).
// In CheckTx only, a rating its block would refuse is refused
// (reputationkeeper.RatingAdmissionDecorator).
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
	injected := oracleabci.NewInjectedTxDecorator(app.injectedTxs)
	// After the SDK's checks (a tx that pays no fee or is not signed costs
	// no state reads): in CheckTx only, a rating its block would refuse.
	ratings := reputationkeeper.NewRatingAdmissionDecorator(app.ReputationKeeper)
	checked := func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
		ctx, err := handler(ctx, tx, simulate)
		if err != nil {
			return ctx, err
		}
		return ratings.AnteHandle(ctx, tx, simulate, func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) { return ctx, nil })
	}
	app.SetAnteHandler(func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
		return injected.AnteHandle(ctx, tx, simulate, checked)
	})
}
