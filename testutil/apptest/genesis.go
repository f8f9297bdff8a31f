package apptest

import (
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/flashbacknetwork/flashbackd/app"
)

// genesisWithValidators adds to a default genesis the accounts and balances,
// and one bonded validator per member of valSet (power as in valSet), all
// self-delegated by the first account. Unlike the SDK's test helper it keeps
// the bank metadata and funds the bonded pool for every validator.
func genesisWithValidators(cdc codec.Codec, genesis app.GenesisState, valSet *cmttypes.ValidatorSet,
	accounts []authtypes.GenesisAccount, balances []banktypes.Balance,
) (app.GenesisState, error) {
	var authGenesis authtypes.GenesisState
	cdc.MustUnmarshalJSON(genesis[authtypes.ModuleName], &authGenesis)
	packed, err := authtypes.PackAccounts(accounts)
	if err != nil {
		return nil, err
	}
	authGenesis.Accounts = append(authGenesis.Accounts, packed...)
	genesis[authtypes.ModuleName] = cdc.MustMarshalJSON(&authGenesis)

	var stakingGenesis stakingtypes.GenesisState
	cdc.MustUnmarshalJSON(genesis[stakingtypes.ModuleName], &stakingGenesis)
	bonded := sdkmath.ZeroInt()
	for _, v := range valSet.Validators {
		pk, err := cryptocodec.FromCmtPubKeyInterface(v.PubKey)
		if err != nil {
			return nil, err
		}
		pkAny, err := codectypes.NewAnyWithValue(pk)
		if err != nil {
			return nil, err
		}
		tokens := sdk.TokensFromConsensusPower(v.VotingPower, sdk.DefaultPowerReduction)
		bonded = bonded.Add(tokens)
		valAddr := sdk.ValAddress(v.Address).String()
		stakingGenesis.Validators = append(stakingGenesis.Validators, stakingtypes.Validator{
			OperatorAddress: valAddr, ConsensusPubkey: pkAny, Status: stakingtypes.Bonded,
			Tokens: tokens, DelegatorShares: sdkmath.LegacyNewDecFromInt(tokens),
			UnbondingTime:     time.Unix(0, 0).UTC(),
			Commission:        stakingtypes.NewCommission(sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec()),
			MinSelfDelegation: sdkmath.ZeroInt(),
		})
		stakingGenesis.Delegations = append(stakingGenesis.Delegations,
			stakingtypes.NewDelegation(accounts[0].GetAddress().String(), valAddr, sdkmath.LegacyNewDecFromInt(tokens)))
	}
	genesis[stakingtypes.ModuleName] = cdc.MustMarshalJSON(&stakingGenesis)

	// Slashing tracks the validators' signatures from the first block.
	var slashingGenesis slashingtypes.GenesisState
	cdc.MustUnmarshalJSON(genesis[slashingtypes.ModuleName], &slashingGenesis)
	for _, v := range valSet.Validators {
		consAddr := sdk.ConsAddress(v.Address).String()
		slashingGenesis.SigningInfos = append(slashingGenesis.SigningInfos, slashingtypes.SigningInfo{
			Address:              consAddr,
			ValidatorSigningInfo: slashingtypes.NewValidatorSigningInfo(sdk.ConsAddress(v.Address), 0, 0, time.Unix(0, 0).UTC(), false, 0),
		})
	}
	genesis[slashingtypes.ModuleName] = cdc.MustMarshalJSON(&slashingGenesis)

	var bankGenesis banktypes.GenesisState
	cdc.MustUnmarshalJSON(genesis[banktypes.ModuleName], &bankGenesis)
	bankGenesis.Balances = append(bankGenesis.Balances, balances...)
	bankGenesis.Balances = append(bankGenesis.Balances, banktypes.Balance{
		Address: authtypes.NewModuleAddress(stakingtypes.BondedPoolName).String(),
		Coins:   sdk.NewCoins(sdk.NewCoin(app.BondDenom, bonded)),
	})
	bankGenesis.Balances = banktypes.SanitizeGenesisBalances(bankGenesis.Balances)
	bankGenesis.Supply = nil // computed from the balances at InitGenesis
	genesis[banktypes.ModuleName] = cdc.MustMarshalJSON(&bankGenesis)
	return genesis, nil
}
