package app

import (
	"encoding/json"
	"fmt"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	storetypes "cosmossdk.io/store/types"

	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
)

// ExportAppStateAndValidators exports the state of every module (or of the
// given ones) and the validator set, as used by `flashbackd export`. The
// consensus params are the chain's, with the vote extensions enable height
// set for the chain started from the export (exportedVoteExtensionsEnableHeight).
func (app *App) ExportAppStateAndValidators(
	forZeroHeight bool, jailAllowedAddrs, modulesToExport []string,
) (servertypes.ExportedApp, error) {
	// Export as if from the start of the next block.
	ctx := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})

	height := app.LastBlockHeight() + 1
	if forZeroHeight {
		height = 0
		if err := app.prepForZeroHeightGenesis(ctx, jailAllowedAddrs); err != nil {
			return servertypes.ExportedApp{}, err
		}
	}

	genState, err := app.ModuleManager.ExportGenesisForModules(ctx, app.appCodec, modulesToExport)
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	appState, err := json.MarshalIndent(genState, "", "  ")
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	validators, err := staking.WriteValidators(ctx, app.StakingKeeper)

	// A zero-height export starts a chain whose genesis says initial_height
	// 0, which CometBFT and the SDK read as 1.
	consensusParams := app.GetConsensusParams(ctx)
	consensusParams.Abci = &cmtproto.ABCIParams{VoteExtensionsEnableHeight: exportedVoteExtensionsEnableHeight(
		consensusParams.Abci.GetVoteExtensionsEnableHeight(), app.LastBlockHeight()+1, max(height, 1))}
	return servertypes.ExportedApp{
		AppState:        appState,
		Validators:      validators,
		Height:          height,
		ConsensusParams: consensusParams,
	}, err
}

// exportedVoteExtensionsEnableHeight is the vote extensions enable height
// for the genesis of a chain started from an export: enable is the exporting
// chain's, nextHeight the height it would have run next, initialHeight the
// new chain's first height (nextHeight, or 1 for --for-zero-height).
//
// Copying enable as it is breaks the new chain once the old one is past it.
// CometBFT checks a genesis enable height only for being ≥ 0
// (ConsensusParams.ValidateBasic); ValidateUpdate's rules (a new value must be
// above the current height, a reached one cannot move) judge changes on a
// running chain, and BaseApp returns the unchanged params after every block,
// which they always accept. But with an enable height below the initial
// height, extensions count as on at the first block, whose proposal then
// needs the vote extensions of a block the new chain never had: x/oracle's
// PrepareProposal fails and the chain never makes its first block (seen by
// restarting an export with enable height 2). So extensions that were on, or
// due at the next height, stay on from initialHeight + 1: the shape of every
// genesis the project writes (initial height 1, enable height 2), at the cost
// of one block without the oracle payload. The initial height itself would
// work as well (CometBFT's e2e networks use it, and a restart from such an
// export records QoS), but +1 keeps one rule for every genesis. A zero-height
// export thus enables them at 2. An enable height still ahead keeps its
// distance from the export (unchanged for a normal export, moved down with
// the heights for a zero-height one), and 0, never enabled nor scheduled,
// stays 0.
func exportedVoteExtensionsEnableHeight(enable, nextHeight, initialHeight int64) int64 {
	if enable <= 0 {
		return 0
	}
	return max(enable-(nextHeight-initialHeight), initialHeight+1)
}

// prepForZeroHeightGenesis rewrites height-dependent state so that the export
// can start a new chain at height 0: rewards are withdrawn, distribution is
// re-initialized and staking/slashing heights are reset. Validators not in
// jailAllowedAddrs are jailed when that list is given.
func (app *App) prepForZeroHeightGenesis(ctx sdk.Context, jailAllowedAddrs []string) error {
	allowed := make(map[string]bool, len(jailAllowedAddrs))
	for _, addr := range jailAllowedAddrs {
		if _, err := sdk.ValAddressFromBech32(addr); err != nil {
			return fmt.Errorf("invalid jail-allowed validator address %q: %w", addr, err)
		}
		allowed[addr] = true
	}
	valCodec := app.StakingKeeper.ValidatorAddressCodec()

	// Withdraw all validator commission.
	var iterErr error
	err := app.StakingKeeper.IterateValidators(ctx, func(_ int64, val stakingtypes.ValidatorI) bool {
		valBz, err := valCodec.StringToBytes(val.GetOperator())
		if err != nil {
			iterErr = err
			return true
		}
		_, _ = app.DistrKeeper.WithdrawValidatorCommission(ctx, valBz) // none to withdraw is fine
		return false
	})
	if err != nil {
		return err
	}
	if iterErr != nil {
		return iterErr
	}

	// Withdraw all delegator rewards.
	dels, err := app.StakingKeeper.GetAllDelegations(ctx)
	if err != nil {
		return err
	}
	for _, d := range dels {
		valAddr, err := sdk.ValAddressFromBech32(d.ValidatorAddress)
		if err != nil {
			return err
		}
		if _, err := app.DistrKeeper.WithdrawDelegationRewards(ctx, sdk.MustAccAddressFromBech32(d.DelegatorAddress), valAddr); err != nil {
			return err
		}
	}

	app.DistrKeeper.DeleteAllValidatorSlashEvents(ctx)
	app.DistrKeeper.DeleteAllValidatorHistoricalRewards(ctx)

	// Re-initialize validators and delegations at height 0.
	height := ctx.BlockHeight()
	ctx = ctx.WithBlockHeight(0)
	err = app.StakingKeeper.IterateValidators(ctx, func(_ int64, val stakingtypes.ValidatorI) bool {
		valBz, err := valCodec.StringToBytes(val.GetOperator())
		if err != nil {
			iterErr = err
			return true
		}
		// Donate unwithdrawn reward fractions to the community pool.
		scraps, err := app.DistrKeeper.GetValidatorOutstandingRewardsCoins(ctx, valBz)
		if err != nil {
			iterErr = err
			return true
		}
		feePool, err := app.DistrKeeper.FeePool.Get(ctx)
		if err != nil {
			iterErr = err
			return true
		}
		feePool.CommunityPool = feePool.CommunityPool.Add(scraps...)
		if err := app.DistrKeeper.FeePool.Set(ctx, feePool); err != nil {
			iterErr = err
			return true
		}
		if err := app.DistrKeeper.Hooks().AfterValidatorCreated(ctx, valBz); err != nil {
			iterErr = err
			return true
		}
		return false
	})
	if err != nil {
		return err
	}
	if iterErr != nil {
		return iterErr
	}
	for _, d := range dels {
		valAddr, err := sdk.ValAddressFromBech32(d.ValidatorAddress)
		if err != nil {
			return err
		}
		delAddr := sdk.MustAccAddressFromBech32(d.DelegatorAddress)
		if err := app.DistrKeeper.Hooks().BeforeDelegationCreated(ctx, delAddr, valAddr); err != nil {
			return err
		}
		if err := app.DistrKeeper.Hooks().AfterDelegationModified(ctx, delAddr, valAddr); err != nil {
			return err
		}
	}
	ctx = ctx.WithBlockHeight(height)

	// Reset creation heights of redelegations and unbonding delegations.
	err = app.StakingKeeper.IterateRedelegations(ctx, func(_ int64, red stakingtypes.Redelegation) bool {
		for i := range red.Entries {
			red.Entries[i].CreationHeight = 0
		}
		if err := app.StakingKeeper.SetRedelegation(ctx, red); err != nil {
			iterErr = err
			return true
		}
		return false
	})
	if err != nil {
		return err
	}
	if iterErr != nil {
		return iterErr
	}
	err = app.StakingKeeper.IterateUnbondingDelegations(ctx, func(_ int64, ubd stakingtypes.UnbondingDelegation) bool {
		for i := range ubd.Entries {
			ubd.Entries[i].CreationHeight = 0
		}
		if err := app.StakingKeeper.SetUnbondingDelegation(ctx, ubd); err != nil {
			iterErr = err
			return true
		}
		return false
	})
	if err != nil {
		return err
	}
	if iterErr != nil {
		return iterErr
	}

	// Reset validator unbonding heights and jail those not allowed.
	store := ctx.KVStore(app.keys[stakingtypes.StoreKey])
	iter := storetypes.KVStoreReversePrefixIterator(store, stakingtypes.ValidatorsKey)
	for ; iter.Valid(); iter.Next() {
		addr := sdk.ValAddress(stakingtypes.AddressFromValidatorsKey(iter.Key()))
		validator, err := app.StakingKeeper.GetValidator(ctx, addr)
		if err != nil {
			iter.Close()
			return fmt.Errorf("validator %s in the index but not in the store: %w", addr, err)
		}
		validator.UnbondingHeight = 0
		if len(allowed) > 0 && !allowed[addr.String()] {
			validator.Jailed = true
		}
		if err := app.StakingKeeper.SetValidator(ctx, validator); err != nil {
			iter.Close()
			return err
		}
	}
	if err := iter.Close(); err != nil {
		return err
	}
	if _, err := app.StakingKeeper.ApplyAndReturnValidatorSetUpdates(ctx); err != nil {
		return err
	}

	// Reset the start height of signing infos.
	err = app.SlashingKeeper.IterateValidatorSigningInfos(ctx,
		func(addr sdk.ConsAddress, info slashingtypes.ValidatorSigningInfo) bool {
			info.StartHeight = 0
			if err := app.SlashingKeeper.SetValidatorSigningInfo(ctx, addr, info); err != nil {
				iterErr = err
				return true
			}
			return false
		})
	if err != nil {
		return err
	}
	return iterErr
}
