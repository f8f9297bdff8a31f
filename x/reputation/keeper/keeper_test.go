package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/x/reputation"
	"github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

type fixture struct {
	ctx       sdk.Context
	keeper    keeper.Keeper
	msgs      types.MsgServer
	queries   types.QueryServer
	authority string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	tctx := testutil.DefaultContextWithDB(t, key, storetypes.NewTransientStoreKey("t_"+types.StoreKey))
	enc := moduletestutil.MakeTestEncodingConfig(reputation.AppModule{})
	authority := authtypes.NewModuleAddress("gov").String()
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), address.NewBech32Codec(app.Bech32Prefix), authority)
	require.NoError(t, k.InitGenesis(tctx.Ctx, *types.DefaultGenesis()))
	return fixture{ctx: tctx.Ctx, keeper: k, msgs: keeper.NewMsgServerImpl(k), queries: keeper.NewQueryServerImpl(k), authority: authority}
}

func TestUpdateParams(t *testing.T) {
	f := newFixture(t)
	newParams := types.DefaultParams()
	newParams.MinPublicRatings = 20

	// Anyone but the authority is refused, and nothing changes.
	stranger := sdk.AccAddress([]byte("stranger____________")).String()
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: stranger, Params: newParams})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	require.Contains(t, err.Error(), "only the governance authority")
	got, err := f.keeper.Params.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, types.DefaultParams(), got)

	// Invalid params are refused, even from the authority.
	invalid := types.DefaultParams()
	invalid.CommunityWeight = invalid.CommunityWeight.Neg()
	_, err = f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: invalid})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	got, err = f.keeper.Params.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, types.DefaultParams(), got)

	// The authority's valid update applies and is announced.
	_, err = f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: newParams})
	require.NoError(t, err)
	res, err := f.queries.Params(f.ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, newParams, res.Params)
	events := f.ctx.EventManager().Events()
	require.Equal(t, "flashback.reputation.v1.EventParamsUpdated", events[len(events)-1].Type)
}

func TestParamsQueryRejectsNilRequest(t *testing.T) {
	f := newFixture(t)
	_, err := f.queries.Params(f.ctx, nil)
	require.Error(t, err)
}

func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t)
	exported, err := f.keeper.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Equal(t, types.DefaultGenesis(), exported)

	bad := types.DefaultGenesis()
	bad.Params.ObjectiveWeight = bad.Params.ObjectiveWeight.Neg()
	require.ErrorIs(t, f.keeper.InitGenesis(f.ctx, *bad), types.ErrInvalidGenesis)
}
