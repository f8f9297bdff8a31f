package app

import (
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// setABCIHandlers installs the proposal and pre-block handlers. This is the one
// place where the ABCI++ handlers of the chain are chosen: the QoS oracle's
// vote-extension and proposal handlers plug in here.
func (app *App) setABCIHandlers() {
	// The default proposal handler selects transactions from the app-side
	// mempool (configured by `mempool.max-txs` in app.toml) and, when that is
	// disabled, from the transactions CometBFT proposes.
	proposalHandler := baseapp.NewDefaultProposalHandler(app.Mempool(), app)
	app.SetPrepareProposal(proposalHandler.PrepareProposalHandler())
	app.SetProcessProposal(proposalHandler.ProcessProposalHandler())
	app.SetPreBlocker(app.PreBlocker)
}

// PreBlocker runs before BeginBlock. It always runs the module manager's
// PreBlock (x/upgrade applies upgrades there); app-level pre-block work such
// as oracle aggregation is added around it.
func (app *App) PreBlocker(ctx sdk.Context, _ *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
	return app.ModuleManager.PreBlock(ctx)
}
