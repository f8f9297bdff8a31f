package app

import (
	evidencetypes "cosmossdk.io/x/evidence/types"
	"cosmossdk.io/x/feegrant"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	vestingtypes "github.com/cosmos/cosmos-sdk/x/auth/vesting/types"
	"github.com/cosmos/cosmos-sdk/x/authz"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	consensusparamtypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// setModuleOrder fixes the order in which modules run in each ABCI phase.
// Changing an order is state-breaking.
func setModuleOrder(mm *module.Manager) {
	// PreBlock: upgrades must apply before anything else reads state; auth
	// then prunes expired unordered-transaction nonces.
	mm.SetOrderPreBlockers(upgradetypes.ModuleName, authtypes.ModuleName)

	// BeginBlock: mint before distribution (rewards to distribute), distribution
	// before slashing (so the fee pool is empty before validators are slashed),
	// then evidence and staking. Epochs ticks after them so that epoch hooks
	// see this block's staking state.
	mm.SetOrderBeginBlockers(
		minttypes.ModuleName,
		distrtypes.ModuleName,
		slashingtypes.ModuleName,
		evidencetypes.ModuleName,
		stakingtypes.ModuleName,
		authz.ModuleName,
		epochstypes.ModuleName,
	)

	// EndBlock: governance first (a passed proposal's messages run this block),
	// staking updates the validator set, feegrant prunes expired allowances,
	// then the Flashback modules: the oracle has finalized QoS records, the
	// orchestrator settles its due queue and SLA rounds, reputation applies
	// score changes. Reputation must come after the orchestrator: its reward
	// round runs only in a block whose orchestrator end block reported the
	// SLA rounds settled (AfterSlaRoundsSettled).
	mm.SetOrderEndBlockers(
		govtypes.ModuleName,
		stakingtypes.ModuleName,
		feegrant.ModuleName,
		oracletypes.ModuleName,
		orchestratortypes.ModuleName,
		reputationtypes.ModuleName,
	)

	// InitGenesis: genutil after staking and bank (gentxs need balances and a
	// validator set); the Flashback modules after the accounts they hold coins in.
	genesisOrder := []string{
		authtypes.ModuleName,
		banktypes.ModuleName,
		distrtypes.ModuleName,
		stakingtypes.ModuleName,
		slashingtypes.ModuleName,
		govtypes.ModuleName,
		minttypes.ModuleName,
		genutiltypes.ModuleName,
		evidencetypes.ModuleName,
		authz.ModuleName,
		feegrant.ModuleName,
		upgradetypes.ModuleName,
		vestingtypes.ModuleName,
		consensusparamtypes.ModuleName,
		epochstypes.ModuleName,
		oracletypes.ModuleName,
		orchestratortypes.ModuleName,
		reputationtypes.ModuleName,
	}
	mm.SetOrderInitGenesis(genesisOrder...)
	mm.SetOrderExportGenesis(genesisOrder...)
}
