package orchestrator

import (
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/simulation"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The module in the SDK's simulation (app/sim): random genesis, store
// decoding for store diffs, operations and governance proposals.
var (
	_ module.AppModuleSimulation   = AppModule{}
	_ simsx.HasWeightedOperationsX = AppModule{}
	_ simsx.HasProposalMsgsX       = AppModule{}
)

// GenerateGenesisState writes a random genesis (simulation/genesis.go).
func (AppModule) GenerateGenesisState(simState *module.SimulationState) {
	simulation.RandomizedGenState(simState)
}

// RegisterStoreDecoder decodes the module's store entries from its
// collections schema, for the import/export store comparison.
func (am AppModule) RegisterStoreDecoder(sdr simtypes.StoreDecoderRegistry) {
	sdr[types.StoreKey] = simtypes.NewStoreDecoderFuncFromCollectionsSchema(am.keeper.Schema)
}

// WeightedOperations is the legacy entry point; simsx uses
// WeightedOperationsX instead.
func (AppModule) WeightedOperations(module.SimulationState) []simtypes.WeightedOperation { return nil }

// WeightedOperationsX registers an operation for every message.
func (am AppModule) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	simulation.WeightedOperations(weights, reg, am.keeper)
}

// ProposalMsgsX registers the messages governance proposals carry.
func (am AppModule) ProposalMsgsX(weights simsx.WeightSource, reg simsx.Registry) {
	simulation.ProposalMsgs(weights, reg, am.keeper)
}
