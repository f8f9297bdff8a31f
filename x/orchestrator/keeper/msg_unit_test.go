package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func TestCreateDataUnitFees(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	balance, supply, pool := s.balance(s.provider), s.supply(), s.communityPool()

	id := s.createUnit(s.provider, func(m *types.MsgCreateDataUnit) { m.PriorityFee = uflashPtr(50_000) })
	u := s.unit(id)
	require.Equal(t, types.DATA_UNIT_STATE_AVAILABLE, u.State)
	require.Equal(t, uint32(50), u.Reputation)
	require.Equal(t, int64(50_000), u.PriorityFee.Int64())
	require.Equal(t, uint32(1), s.providerOf(s.provider).LiveUnits)

	// 1 FLASH submission fee to the community pool, 0.05 FLASH priority fee burned.
	require.Equal(t, balance.SubRaw(1_000_000+50_000), s.balance(s.provider))
	require.Equal(t, supply.SubRaw(50_000), s.supply(), "the priority fee is burned")
	require.Equal(t, pool.Add(sdkmath.LegacyNewDec(1_000_000)), s.communityPool())
}

func TestCreateDataUnitRejects(t *testing.T) {
	s := newSuite(t, func(p *types.Params) { p.MaxUnitsPerProvider = 1 })
	s.registerProvider(s.provider)
	cases := map[string]struct {
		edit func(*types.MsgCreateDataUnit)
		want error
	}{
		"not a provider": {func(m *types.MsgCreateDataUnit) { m.Provider = s.stranger.String() }, types.ErrProviderNotFound},
		"zero capacity":  {func(m *types.MsgCreateDataUnit) { m.CapacityGb = 0 }, types.ErrInvalidInput},
		"huge capacity":  {func(m *types.MsgCreateDataUnit) { m.CapacityGb = types.MaxCapacityGB + 1 }, types.ErrAmountTooLarge},
		"zero price":     {func(m *types.MsgCreateDataUnit) { m.PricePerGbMonth = sdkmath.ZeroInt() }, types.ErrInvalidAmount},
		"negative price": {func(m *types.MsgCreateDataUnit) { m.PricePerGbMonth = sdkmath.NewInt(-1) }, types.ErrInvalidAmount},
		"huge price": {func(m *types.MsgCreateDataUnit) {
			m.PricePerGbMonth = sdkmath.NewIntFromUint64(types.MaxPricePerGBMonth + 1)
		}, types.ErrAmountTooLarge},
		"bad region":               {func(m *types.MsgCreateDataUnit) { m.Region = "EU West" }, types.ErrInvalidInput},
		"bad country":              {func(m *types.MsgCreateDataUnit) { m.Country = "fr" }, types.ErrInvalidInput},
		"no api":                   {func(m *types.MsgCreateDataUnit) { m.Api = types.API_COMPATIBILITY_UNSPECIFIED }, types.ErrInvalidInput},
		"unknown api":              {func(m *types.MsgCreateDataUnit) { m.Api = 99 }, types.ErrInvalidInput},
		"endpoint not a url":       {func(m *types.MsgCreateDataUnit) { m.Endpoint = "s3 bucket" }, types.ErrInvalidInput},
		"endpoint with password":   {func(m *types.MsgCreateDataUnit) { m.Endpoint = "https://u:p@s3.example/b" }, types.ErrInvalidInput},
		"endpoint oversized":       {func(m *types.MsgCreateDataUnit) { m.Endpoint = "https://x.example/" + strings.Repeat("a", 300) }, types.ErrInvalidInput},
		"endpoint ftp":             {func(m *types.MsgCreateDataUnit) { m.Endpoint = "ftp://x.example/" }, types.ErrInvalidInput},
		"uptime above 100 %":       {func(m *types.MsgCreateDataUnit) { m.Sla.MinUptimeBps = 10_001 }, types.ErrInvalidInput},
		"no latency bound":         {func(m *types.MsgCreateDataUnit) { m.Sla.MaxLatencyMs = 0 }, types.ErrInvalidInput},
		"priority fee below min":   {func(m *types.MsgCreateDataUnit) { m.PriorityFee = uflashPtr(1) }, types.ErrInvalidAmount},
		"priority fee wrong denom": {func(m *types.MsgCreateDataUnit) { m.PriorityFee = uflashPtr(50_000); m.PriorityFee.Denom = "uatom" }, types.ErrInvalidAmount},
		"priority fee over max": {func(m *types.MsgCreateDataUnit) {
			m.PriorityFee = uflashPtr(0)
			m.PriorityFee.Amount = sdkmath.NewIntFromUint64(types.MaxPriorityFee + 1)
		}, types.ErrAmountTooLarge},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			msg := unitMsg(s.provider)
			tc.edit(msg)
			s.requireErrUnchanged(tc.want, func() error { return s.deliver(msg) })
		})
	}
	s.createUnit(s.provider)
	s.requireErrUnchanged(types.ErrTooManyUnits, func() error { return s.deliver(unitMsg(s.provider)) })
}

func TestUpdateDataUnit(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	s.registerProvider(s.provider2)
	dealID := s.requestDeal(dealMsg(s.consumer, unitID)) // holds 100 GB at 20,000/GB-month

	update := func() *types.MsgUpdateDataUnit {
		return &types.MsgUpdateDataUnit{
			Provider: s.provider.String(), UnitId: unitID, CapacityGb: 500, PricePerGbMonth: sdkmath.NewInt(30_000),
			Endpoint: "https://s3.acme.example/unit-v2", Sla: defaultSla(), AddPriorityFee: uflashPtr(20_000),
		}
	}
	_, err := s.msgs.UpdateDataUnit(s.ctx(), update())
	require.NoError(t, err)
	u := s.unit(unitID)
	require.Equal(t, uint64(500), u.CapacityGb)
	require.Equal(t, int64(30_000), u.PricePerGbMonth.Int64())
	require.Equal(t, int64(20_000), u.PriorityFee.Int64())
	require.Equal(t, int64(20_000), s.deal(dealID).PricePerGbMonth.Int64(), "an open deal keeps its price")

	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		m := update()
		m.Provider = s.provider2.String()
		_, err := s.msgs.UpdateDataUnit(s.ctx(), m)
		return err
	})
	s.requireErrUnchanged(types.ErrInsufficientCap, func() error {
		m := update()
		m.CapacityGb = 99
		_, err := s.msgs.UpdateDataUnit(s.ctx(), m)
		return err
	})
	s.requireErrUnchanged(types.ErrUnitNotFound, func() error {
		m := update()
		m.UnitId = 42
		_, err := s.msgs.UpdateDataUnit(s.ctx(), m)
		return err
	})
}

func TestMaintenanceWindow(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	now := s.app.Time
	schedule := func(start, end time.Time) error {
		_, err := s.msgs.ScheduleMaintenance(s.ctx(), &types.MsgScheduleMaintenance{
			Provider: s.provider.String(), UnitId: unitID, Start: start, End: end,
		})
		return err
	}
	s.requireErrUnchanged(types.ErrInvalidSchedule, func() error { return schedule(now.Add(-time.Hour), now.Add(time.Hour)) })
	s.requireErrUnchanged(types.ErrInvalidSchedule, func() error { return schedule(now.Add(time.Hour), now.Add(time.Hour)) })
	s.requireErrUnchanged(types.ErrInvalidSchedule, func() error { return schedule(now.Add(time.Hour), now.Add(5*24*time.Hour)) })
	s.requireErrUnchanged(types.ErrInvalidSchedule, func() error { return schedule(now.Add(40*24*time.Hour), now.Add(41*24*time.Hour)) })
	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		_, err := s.msgs.ScheduleMaintenance(s.ctx(), &types.MsgScheduleMaintenance{
			Provider: s.consumer.String(), UnitId: unitID, Start: now.Add(time.Hour), End: now.Add(2 * time.Hour),
		})
		return err
	})

	require.NoError(t, schedule(now.Add(time.Hour), now.Add(3*time.Hour)))
	s.requireErrUnchanged(types.ErrInvalidSchedule, func() error { return schedule(now.Add(4*time.Hour), now.Add(5*time.Hour)) })
	require.Equal(t, types.DATA_UNIT_STATE_AVAILABLE, s.unit(unitID).State)

	s.advance(time.Hour)
	require.Equal(t, types.DATA_UNIT_STATE_MAINTENANCE, s.unit(unitID).State)
	s.requireErrUnchanged(types.ErrUnitUnavailable, func() error {
		return s.deliver(dealMsg(s.consumer, unitID))
	})
	res, err := s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{})
	require.NoError(t, err)
	require.Empty(t, res.DataUnits, "a unit in maintenance is not on the market")

	s.advance(2 * time.Hour)
	u := s.unit(unitID)
	require.Equal(t, types.DATA_UNIT_STATE_AVAILABLE, u.State, "the state returns by itself")
	require.Nil(t, u.Maintenance)
	s.requestDeal(dealMsg(s.consumer, unitID))
}

func TestDecommission(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, dealID)
	require.Equal(t, types.DATA_UNIT_STATE_IN_USE, s.unit(unitID).State)

	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgDecommissionDataUnit{Provider: s.consumer.String(), UnitId: unitID})
	})
	res, err := s.msgs.DecommissionDataUnit(s.ctx(), &types.MsgDecommissionDataUnit{Provider: s.provider.String(), UnitId: unitID})
	require.NoError(t, err)
	require.Equal(t, types.DATA_UNIT_STATE_DECOMMISSIONING, res.State)
	s.requireErrUnchanged(types.ErrInvalidState, func() error {
		return s.deliver(&types.MsgDecommissionDataUnit{Provider: s.provider.String(), UnitId: unitID})
	})
	s.registerConsumer(s.consumer2)
	s.requireErrUnchanged(types.ErrUnitUnavailable, func() error {
		return s.deliver(dealMsg(s.consumer2, unitID))
	})

	// The running deal runs out; then the unit is decommissioned for good.
	s.advance(30*24*time.Hour + time.Second)
	require.Equal(t, types.DEAL_STATE_CLOSED, s.deal(dealID).State)
	require.Equal(t, types.DATA_UNIT_STATE_DECOMMISSIONED, s.unit(unitID).State)
	require.Zero(t, s.providerOf(s.provider).LiveUnits)
	s.requireErrUnchanged(types.ErrInvalidState, func() error {
		_, err := s.msgs.ScheduleMaintenance(s.ctx(), &types.MsgScheduleMaintenance{
			Provider: s.provider.String(), UnitId: unitID, Start: s.app.Time.Add(time.Hour), End: s.app.Time.Add(2 * time.Hour),
		})
		return err
	})
}
