package keeper_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// liveByOrdinal reads the units at ordinals 0 … LiveUnitCount−1, as x/oracle
// does, and checks that the next ordinal has none.
func (s *suite) liveByOrdinal() []uint64 {
	s.t.Helper()
	k := s.app.OrchestratorKeeper
	n, err := k.LiveUnitCount(s.ctx())
	require.NoError(s.t, err)
	ids := make([]uint64, 0, n)
	for o := uint64(0); o < n; o++ {
		target, err := k.LiveUnitAt(s.ctx(), o)
		require.NoError(s.t, err)
		u := s.unit(target.UnitID)
		require.Equal(s.t, u.Provider, target.Provider)
		require.Equal(s.t, u.Endpoint, target.Endpoint)
		ids = append(ids, target.UnitID)
	}
	_, err = k.LiveUnitAt(s.ctx(), n)
	require.ErrorIs(s.t, err, types.ErrUnitNotFound)
	slices.Sort(ids)
	return ids
}

func (s *suite) decommission(id uint64) {
	s.t.Helper()
	_, err := s.msgs.DecommissionDataUnit(s.ctx(), &types.MsgDecommissionDataUnit{Provider: s.provider.String(), UnitId: id})
	require.NoError(s.t, err)
	s.checkInvariants()
}

// The ordinals number exactly the live units through every change: units
// leaving from the middle, the end and the start of the numbering, a unit
// joining after, and a decommissioned unit with a running deal, which stays
// live (and probed) until its deal ends.
func TestLiveUnitIndexStaysDense(t *testing.T) {
	s := newSuite(t)
	first := s.market()
	ids := []uint64{first}
	for i := 0; i < 5; i++ {
		ids = append(ids, s.createUnit(s.provider))
	}
	require.Equal(t, ids, s.liveByOrdinal())
	s.checkInvariants()

	s.decommission(ids[2]) // from the middle: the last unit takes its ordinal
	s.decommission(ids[5]) // the last ordinal
	s.decommission(ids[0]) // ordinal 0
	require.Equal(t, []uint64{ids[1], ids[3], ids[4]}, s.liveByOrdinal())

	joined := s.createUnit(s.provider)
	require.Equal(t, []uint64{ids[1], ids[3], ids[4], joined}, s.liveByOrdinal())

	deal := s.requestDeal(dealMsg(s.consumer, ids[3]))
	s.accept(s.provider, deal)
	s.decommission(ids[3])
	require.Equal(t, types.DATA_UNIT_STATE_DECOMMISSIONING, s.unit(ids[3]).State)
	require.Equal(t, []uint64{ids[1], ids[3], ids[4], joined}, s.liveByOrdinal(), "still live while its deal runs")
	s.advance(31 * day)
	require.Equal(t, types.DATA_UNIT_STATE_DECOMMISSIONED, s.unit(ids[3]).State)
	require.Equal(t, []uint64{ids[1], ids[4], joined}, s.liveByOrdinal())
}

// The invariant finds the index out of step with the live units.
func TestLiveUnitIndexInvariantBreaks(t *testing.T) {
	s := newSuite(t)
	a := s.market()
	b := s.createUnit(s.provider)
	c := s.createUnit(s.provider)
	s.decommission(c)

	requireBreak := func(breakIt func(ctx sdk.Context, k keeper.Keeper), want string) {
		t.Helper()
		invariant := keeper.LiveUnitIndexInvariant(s.app.OrchestratorKeeper)
		_, broken := invariant(s.ctx())
		require.False(t, broken)
		ctx, _ := s.ctx().CacheContext()
		breakIt(ctx, s.app.OrchestratorKeeper)
		msg, broken := invariant(ctx)
		require.True(t, broken)
		require.Contains(t, msg, want)
	}
	requireBreak(func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.LiveUnitByOrdinal.Remove(ctx, 1))
	}, "1 ordinals and 2 reverse entries for 2 live units")
	requireBreak(func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.LiveUnitByOrdinal.Set(ctx, 0, b))
	}, "is at ordinal 0 but records ordinal 1")
	requireBreak(func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.LiveUnitByOrdinal.Set(ctx, 2, c))
		require.NoError(t, k.LiveUnitOrdinal.Set(ctx, c, 2))
	}, "is not below the 2 live units")
	requireBreak(func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.LiveUnitOrdinal.Remove(ctx, a))
	}, "has no ordinal entry")
	requireBreak(func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.LiveUnits.Remove(ctx, a))
	}, "is listed in LiveUnits: false")
}

// ordinals reads LiveUnitByOrdinal in ordinal order (unsorted: the order is
// what x/oracle's draws depend on).
func ordinals(t *testing.T, k keeper.Keeper, ctx sdk.Context) []uint64 {
	t.Helper()
	var ids []uint64
	require.NoError(t, k.LiveUnitByOrdinal.Walk(ctx, nil, func(_ uint64, id uint64) (bool, error) {
		ids = append(ids, id)
		return false, nil
	}))
	return ids
}

// TestExportImportKeepsLiveUnitOrdinals: after units left from the middle of
// the numbering, an export imported into a new chain numbers the live units
// exactly as the exporting chain did, so x/oracle draws the same units. The
// export listed units by id and the import numbered them in that order:
// the ordinals came back permuted (found by the import/export simulation).
func TestExportImportKeepsLiveUnitOrdinals(t *testing.T) {
	s := newSuite(t)
	ids := []uint64{s.market()}
	for i := 0; i < 5; i++ {
		ids = append(ids, s.createUnit(s.provider))
	}
	s.decommission(ids[1]) // the last unit takes ordinal 1
	s.decommission(ids[3])
	want := ordinals(t, s.app.OrchestratorKeeper, s.ctx())
	require.NotEqual(t, want, slices.Sorted(slices.Values(want)), "the numbering must differ from id order for the test to mean anything")

	gs, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(t, err)
	second := newSuite(t)
	require.NoError(t, second.app.OrchestratorKeeper.InitGenesis(second.ctx(), *gs))
	require.Equal(t, want, ordinals(t, second.app.OrchestratorKeeper, second.ctx()))
}
