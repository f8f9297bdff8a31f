package app_test

import (
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

var customModules = []string{orchestratortypes.ModuleName, reputationtypes.ModuleName, oracletypes.ModuleName}

func TestExportImportKeepsCustomModuleState(t *testing.T) {
	// Non-default params, so that an export that silently fell back to the
	// defaults would be caught.
	first := apptest.Setup(t, apptest.Options{Mutate: func(g app.GenesisState) {
		cdc := app.MakeEncodingConfig().Codec

		orch := orchestratortypes.DefaultGenesis()
		orch.Params.PlatformFeeRate = sdkmath.LegacyNewDecWithPrec(12, 3)
		orch.Params.MinProviderBond = sdk.NewInt64Coin(app.BondDenom, 5_000_000_000)
		g[orchestratortypes.ModuleName] = cdc.MustMarshalJSON(orch)

		rep := reputationtypes.DefaultGenesis()
		rep.Params.ObjectiveWeight = sdkmath.LegacyNewDecWithPrec(6, 1)
		rep.Params.CommunityWeight = sdkmath.LegacyNewDecWithPrec(4, 1)
		rep.Params.MinPublicRatings = 3
		g[reputationtypes.ModuleName] = cdc.MustMarshalJSON(rep)

		orc := oracletypes.DefaultGenesis()
		orc.Params.WindowBlocks = 7
		g[oracletypes.ModuleName] = cdc.MustMarshalJSON(orc)
	}})
	first.NextBlock(t)

	exported, err := first.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	var firstState map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(exported.AppState, &firstState))

	// Start a second chain from the export and export it again.
	second := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, true,
		simtestutil.NewAppOptionsWithFlagHome(t.TempDir()), baseapp.SetChainID(apptest.ChainID))
	_, err = second.InitChain(&abci.RequestInitChain{
		ChainId:         apptest.ChainID,
		Time:            apptest.GenesisTime.Add(time.Hour),
		AppStateBytes:   exported.AppState,
		ConsensusParams: simtestutil.DefaultConsensusParams,
		InitialHeight:   exported.Height,
	})
	require.NoError(t, err)
	_, err = second.FinalizeBlock(&abci.RequestFinalizeBlock{Height: exported.Height, Time: apptest.GenesisTime.Add(time.Hour)})
	require.NoError(t, err)
	_, err = second.Commit()
	require.NoError(t, err)

	reexported, err := second.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	var secondState map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(reexported.AppState, &secondState))

	for _, m := range customModules {
		require.JSONEq(t, string(firstState[m]), string(secondState[m]), "module %s changed across export/import", m)
	}

	// And the exported state is the custom one, not the defaults.
	var orch orchestratortypes.GenesisState
	second.AppCodec().MustUnmarshalJSON(secondState[orchestratortypes.ModuleName], &orch)
	require.Equal(t, "0.012000000000000000", orch.Params.PlatformFeeRate.String())
	require.Equal(t, int64(5_000_000_000), orch.Params.MinProviderBond.Amount.Int64())
	var rep reputationtypes.GenesisState
	second.AppCodec().MustUnmarshalJSON(secondState[reputationtypes.ModuleName], &rep)
	require.Equal(t, uint32(3), rep.Params.MinPublicRatings)
	var orc oracletypes.GenesisState
	second.AppCodec().MustUnmarshalJSON(secondState[oracletypes.ModuleName], &orc)
	require.Equal(t, uint64(7), orc.Params.WindowBlocks)
}

func TestExportForZeroHeight(t *testing.T) {
	a := apptest.Setup(t, apptest.Options{})
	a.NextBlock(t)
	exported, err := a.ExportAppStateAndValidators(true, nil, nil)
	require.NoError(t, err)
	require.Equal(t, int64(0), exported.Height)
	require.NotEmpty(t, exported.Validators)
}

func TestDefaultGenesisUsesFlash(t *testing.T) {
	a := apptest.Setup(t, apptest.Options{})
	g := a.DefaultGenesis()
	for _, m := range []string{"staking", "mint", "gov"} {
		require.Contains(t, string(g[m]), `"uflash"`, "module %s genesis", m)
		require.NotContains(t, string(g[m]), `"stake"`, "module %s genesis", m)
	}
	require.Contains(t, string(g["bank"]), `"display":"flash"`)
	params := app.ConsensusParams()
	require.Equal(t, int64(2), params.ABCI.VoteExtensionsEnableHeight)
}

// TestExportVoteExtensionsEnableHeight checks the enable height an export
// gives the chain started from it (app/export.go explains the rule): on from
// the block after the new chain's initial height when it was on or due, a
// future one kept at its distance, 0 kept.
func TestExportVoteExtensionsEnableHeight(t *testing.T) {
	for _, tc := range []struct {
		name           string
		enable         int64
		wantNormal     func(next int64) int64
		wantZeroHeight func(next int64) int64
	}{
		{
			name: "on: from the block after the initial height", enable: app.VoteExtensionsEnableHeight,
			wantNormal:     func(next int64) int64 { return next + 1 },
			wantZeroHeight: func(int64) int64 { return 2 },
		},
		{
			name: "due at the next height", enable: 6,
			wantNormal:     func(next int64) int64 { return next + 1 },
			wantZeroHeight: func(int64) int64 { return 2 },
		},
		{
			name: "scheduled ahead", enable: 1000,
			wantNormal:     func(int64) int64 { return 1000 },
			wantZeroHeight: func(next int64) int64 { return 1000 - next + 1 },
		},
		{
			name: "never enabled", enable: 0,
			wantNormal:     func(int64) int64 { return 0 },
			wantZeroHeight: func(int64) int64 { return 0 },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := apptest.Setup(t, apptest.Options{VoteExtensionsEnableHeight: tc.enable})
			for a.Height < 5 {
				a.NextBlock(t)
			}
			next := a.Height + 1

			exported, err := a.ExportAppStateAndValidators(false, nil, nil)
			require.NoError(t, err)
			require.Equal(t, next, exported.Height)
			require.Equal(t, tc.wantNormal(next), exported.ConsensusParams.Abci.VoteExtensionsEnableHeight)

			zero, err := a.ExportAppStateAndValidators(true, nil, nil)
			require.NoError(t, err)
			require.Equal(t, tc.wantZeroHeight(next), zero.ConsensusParams.Abci.VoteExtensionsEnableHeight)

			// The rest of the consensus params is the chain's.
			require.Equal(t, a.GetConsensusParams(a.Ctx()).Block, exported.ConsensusParams.Block)
			require.Equal(t, a.GetConsensusParams(a.Ctx()).Validator, exported.ConsensusParams.Validator)
		})
	}
}
