package app

import (
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"

	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
)

// OracleFaultEnv names the environment variable that makes a node a
// Byzantine oracle voter (oracleabci.FaultGarbageExtensions,
// FaultExtremeExtensions) in the end-to-end fault tests. Only a binary built
// with the `faultinject` build tag reads it (fault_inject.go); a production
// binary ignores it (fault_none.go).
const OracleFaultEnv = "FLASHBACKD_UNSAFE_ORACLE_FAULT"

// setABCIHandlers installs the ABCI++ handlers: the oracle's vote extensions,
// the proposal handlers that carry the extended commit (wrapping the default
// handlers and the app-side mempool), and the app-level PreBlocker.
func (app *App) setABCIHandlers(fault string) {
	if fault != "" {
		app.Logger().Error("UNSAFE: oracle fault injection is on; never run this on a real network", "fault", fault)
	}
	defaults := baseapp.NewDefaultProposalHandler(app.Mempool(), app)
	defaults.SetTxSelector(newSequenceOrderSelector())
	codec := oracleabci.NewPayloadCodec(app.txConfig)
	verified := oracleabci.NewVerifiedPayload()
	proposals := oracleabci.NewProposalHandler(app.Logger().With("module", "oracle-proposals"), app.StakingKeeper, codec,
		defaults.PrepareProposalHandler(), defaults.ProcessProposalHandler(), verified)
	app.SetPrepareProposal(proposals.PrepareProposal())
	app.SetProcessProposal(proposals.ProcessProposal())

	votes := oracleabci.NewVoteExtensionHandler(app.Logger().With("module", "oracle-votes"), app.OracleKeeper, app.Prober, fault)
	app.SetExtendVoteHandler(votes.ExtendVote())
	app.SetVerifyVoteExtensionHandler(votes.VerifyVoteExtension())

	app.oracleAggregator = oracleabci.NewAggregator(app.Logger().With("module", "oracle"), app.OracleKeeper, codec, verified, app.injectedTxs)
	app.SetPreBlocker(app.PreBlocker)
}

// PreBlocker runs before BeginBlock: first the module manager's PreBlock
// (x/upgrade applies upgrades there), then the oracle's aggregation of the
// previous height's vote extensions.
func (app *App) PreBlocker(ctx sdk.Context, req *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
	res, err := app.ModuleManager.PreBlock(ctx)
	if err != nil {
		return nil, err
	}
	app.oracleAggregator.PreBlock(ctx, req)
	return res, nil
}
