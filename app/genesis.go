package app

import (
	"encoding/json"

	cmttypes "github.com/cometbft/cometbft/types"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
)

// GenesisState is the app state of a genesis file, keyed by module name.
type GenesisState map[string]json.RawMessage

// BlocksPerYear is x/mint's estimate of the blocks in a year: 365.25 days of
// the ~1 s blocks flashbackd is configured for (cmd/flashbackd's default
// timeout_commit). x/mint pays a year's provisions over this many blocks;
// the SDK's default assumes 5 s blocks and would mint about five times the
// intended inflation here. Governance tunes it to the observed block time.
const BlocksPerYear = 365*24*60*60 + 6*60*60

// SignedBlocksWindow is x/slashing's liveness window: a validator that signs
// fewer than half of the last SignedBlocksWindow blocks is jailed. The SDK's
// 100 blocks assume 5 s blocks (a validator may be down ~4 minutes); at
// flashbackd's ~1 s blocks they would jail a validator after 51 s, less
// than a restart for an upgrade takes. 10,000 blocks (~2.8 hours) let a
// validator be down ~80 minutes. x/slashing keeps the window's bitmap in
// chunks, so its state stays small.
const SignedBlocksWindow = 10_000

// NewDefaultGenesisState returns every module's default genesis with the FLASH
// denom wherever a denom appears, and FLASH's bank metadata.
func NewDefaultGenesisState(cdc codec.JSONCodec, basics module.BasicManager) GenesisState {
	genesis := basics.DefaultGenesis(cdc)

	var staking stakingtypes.GenesisState
	cdc.MustUnmarshalJSON(genesis[stakingtypes.ModuleName], &staking)
	staking.Params.BondDenom = BondDenom
	genesis[stakingtypes.ModuleName] = cdc.MustMarshalJSON(&staking)

	var mint minttypes.GenesisState
	cdc.MustUnmarshalJSON(genesis[minttypes.ModuleName], &mint)
	mint.Params.MintDenom = BondDenom
	mint.Params.BlocksPerYear = BlocksPerYear
	genesis[minttypes.ModuleName] = cdc.MustMarshalJSON(&mint)

	var slashing slashingtypes.GenesisState
	cdc.MustUnmarshalJSON(genesis[slashingtypes.ModuleName], &slashing)
	slashing.Params.SignedBlocksWindow = SignedBlocksWindow
	genesis[slashingtypes.ModuleName] = cdc.MustMarshalJSON(&slashing)

	var gov govv1.GenesisState
	cdc.MustUnmarshalJSON(genesis["gov"], &gov)
	gov.Params.MinDeposit = sdk.NewCoins(sdk.NewCoin(BondDenom, sdkmath.NewInt(10_000_000_000)))          // 10,000 FLASH
	gov.Params.ExpeditedMinDeposit = sdk.NewCoins(sdk.NewCoin(BondDenom, sdkmath.NewInt(50_000_000_000))) // 50,000 FLASH
	genesis["gov"] = cdc.MustMarshalJSON(&gov)

	var bank banktypes.GenesisState
	cdc.MustUnmarshalJSON(genesis[banktypes.ModuleName], &bank)
	bank.DenomMetadata = append(bank.DenomMetadata, FlashMetadata())
	genesis[banktypes.ModuleName] = cdc.MustMarshalJSON(&bank)

	return genesis
}

// FlashMetadata describes FLASH for wallets and SIGN_MODE_TEXTUAL.
func FlashMetadata() banktypes.Metadata {
	return banktypes.Metadata{
		Description: "FLASH, the staking, fee and payment token of the Flashback network.",
		DenomUnits: []*banktypes.DenomUnit{
			{Denom: BondDenom, Exponent: 0, Aliases: []string{"microflash"}},
			{Denom: DisplayDenom, Exponent: DisplayExponent},
		},
		Base:    BondDenom,
		Display: DisplayDenom,
		Name:    "Flashback",
		Symbol:  "FLASH",
	}
}

// ConsensusParams returns the CometBFT consensus params of every genesis the
// project writes: CometBFT's defaults with vote extensions enabled from
// VoteExtensionsEnableHeight, and a block gas limit so that a block's work
// is bounded.
func ConsensusParams() *cmttypes.ConsensusParams {
	params := cmttypes.DefaultConsensusParams()
	params.ABCI.VoteExtensionsEnableHeight = VoteExtensionsEnableHeight
	params.Block.MaxGas = DefaultBlockMaxGas
	return params
}

// DefaultBlockMaxGas bounds the gas wanted by all transactions of a block,
// and so the time a block takes to execute: the chain keeps its ~1 s block
// interval only if FinalizeBlock, Commit and the mempool's recheck fit in
// timeout_commit (500 ms). A validator's core executes ~100 M gas of
// flashbackd's transactions per second (docs/PERFORMANCE.md, part 1: 1,200–
// 1,500 tx/s of 66–106 k gas used), and wallets sign for ~1.4 × the gas they
// use, so 30 M gas wanted is ~21 M used, ~0.2–0.3 s of execution: 180–300
// transactions per block. The 100 M it replaces let an overloaded
// 4-validator localnet build blocks of 700 transactions that took 1.2 s to
// execute on each node and stretched the interval to 3.7 s (docs/FAULTS.md,
// "Overload"). Governance raises it (x/consensus MsgUpdateParams) when
// validators run on faster machines.
const DefaultBlockMaxGas = 30_000_000

// MarshalIndent renders the app state as genesis files show it.
func (gs GenesisState) MarshalIndent() ([]byte, error) {
	return json.MarshalIndent(gs, "", " ")
}
