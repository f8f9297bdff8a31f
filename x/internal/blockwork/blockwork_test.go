package blockwork

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

func newSet(t *testing.T) (sdk.Context, collections.KeySet[uint64]) {
	key := storetypes.NewKVStoreKey("blockwork")
	ctx := testutil.DefaultContext(key, storetypes.NewTransientStoreKey("blockwork_t"))
	sb := collections.NewSchemaBuilder(runtime.NewKVStoreService(key))
	set := collections.NewKeySet(sb, collections.NewPrefix(0), "set", collections.Uint64Key)
	_, err := sb.Build()
	require.NoError(t, err)
	return ctx, set
}

// Run keeps the writes and events of an item that succeeds, and none of an
// item that fails or panics (a panic comes back as an error).
func TestRunKeepsOnlySuccess(t *testing.T) {
	ctx, set := newSet(t)
	write := func(id uint64, fail error, panics bool) error {
		return Run(ctx, func(ctx sdk.Context) error {
			require.NoError(t, set.Set(ctx, id))
			ctx.EventManager().EmitEvent(sdk.NewEvent("item"))
			if panics {
				panic("boom")
			}
			return fail
		})
	}
	require.NoError(t, write(1, nil, false))
	require.ErrorContains(t, write(2, errors.New("no"), false), "no")
	require.ErrorContains(t, write(3, nil, true), "panic: boom")
	for id, want := range map[uint64]bool{1: true, 2: false, 3: false} {
		has, err := set.Has(ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, has, "key %d", id)
	}
	require.Len(t, ctx.EventManager().Events(), 1)
}

// FirstKeys reads at most limit keys of the range, in order.
func TestFirstKeys(t *testing.T) {
	ctx, set := newSet(t)
	for _, id := range []uint64{5, 1, 9, 3, 7} {
		require.NoError(t, set.Set(ctx, id))
	}
	keys, err := FirstKeys(ctx, set.Iterate, new(collections.Range[uint64]).StartExclusive(1), 3)
	require.NoError(t, err)
	require.Equal(t, []uint64{3, 5, 7}, keys)
	keys, err = FirstKeys(ctx, set.Iterate, nil, 10)
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 3, 5, 7, 9}, keys)
}
