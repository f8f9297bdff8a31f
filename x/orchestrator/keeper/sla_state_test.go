package keeper_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// updateSla sends UpdateDataUnit changing only the SLA and returns the
// EventDataUnitSlaPending events it emitted.
func (s *suite) updateSla(unitID uint64, sla types.Sla) []*types.EventDataUnitSlaPending {
	s.t.Helper()
	u := s.unit(unitID)
	ctx := s.ctx()
	_, err := s.msgs.UpdateDataUnit(ctx, &types.MsgUpdateDataUnit{
		Provider: u.Provider, UnitId: unitID, CapacityGb: u.CapacityGb, PricePerGbMonth: u.PricePerGbMonth,
		Endpoint: u.Endpoint, Sla: sla, Features: &u.Features,
	})
	require.NoError(s.t, err)
	return typedEvents[*types.EventDataUnitSlaPending](ctx.EventManager().ABCIEvents())
}

func (s *suite) queryUnit(id uint64) types.DataUnit {
	s.t.Helper()
	res, err := s.queries.DataUnit(s.ctx(), &types.QueryDataUnitRequest{Id: id})
	require.NoError(s.t, err)
	return res.DataUnit
}

// UpdateDataUnit stages an SLA change instead of applying it: the SLA in
// force stays until the day's SLA round has graded the unit, and the
// DataUnit query shows both. The same change again keeps its time; going
// back to the SLA in force cancels it. New deals are requested under the
// consumer's own SLA, whatever the unit's.
func TestUpdateDataUnitStagesSla(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	looser := defaultSla()
	looser.MaxLatencyMs = 400

	events := s.updateSla(unitID, looser)
	require.Len(t, events, 1)
	require.Equal(t, types.EventDataUnitSlaPending{UnitId: unitID, Sla: looser}, *events[0])
	u := s.queryUnit(unitID)
	require.Equal(t, defaultSla(), u.Sla, "the SLA in force")
	require.Equal(t, looser, *u.PendingSla, "the pending SLA")
	since := *u.PendingSlaSince
	require.Equal(t, s.app.Time.Truncate(time.Second), since)

	s.advance(time.Minute)
	require.Empty(t, s.updateSla(unitID, looser), "the same change again")
	require.Equal(t, since, *s.unit(unitID).PendingSlaSince, "keeps its time")

	require.Empty(t, s.updateSla(unitID, defaultSla()), "back to the SLA in force")
	require.Nil(t, s.unit(unitID).PendingSla)
	require.Nil(t, s.unit(unitID).PendingSlaSince)

	s.updateSla(unitID, looser)
	strict := defaultSla()
	strict.MaxLatencyMs = 10
	msg := dealMsg(s.consumer, unitID)
	msg.Sla = strict
	dealID := s.requestDeal(msg)
	require.Equal(t, strict, s.deal(dealID).Sla, "a deal keeps the SLA its consumer requires")

	s.advance(day) // the day epoch ends; its round grades the unit, then applies the change
	u = s.queryUnit(unitID)
	require.Equal(t, looser, u.Sla)
	require.Nil(t, u.PendingSla)
}

// Holdings shows what the module account holds and for what. A withdrawal
// books its platform fee as pending; the end-block sweep pays it out.
func TestHoldingsQuery(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, dealID)
	s.advance(3 * day)

	holdings := func() *types.QueryHoldingsResponse {
		res, err := s.queries.Holdings(s.ctx(), &types.QueryHoldingsRequest{})
		require.NoError(t, err)
		require.Equal(t, "uflash", res.Denom)
		require.Equal(t, s.balance(s.app.OrchestratorKeeper.ModuleAddress()), res.Balance)
		require.Equal(t, res.BondsHeld.Add(res.EscrowHeld).Add(res.PendingPlatformFees), res.Balance,
			"the module account holds exactly bonds, escrow and pending fees")
		return res
	}
	before := holdings()
	require.True(t, before.PendingPlatformFees.IsZero())
	require.Equal(t, sdkmath.NewInt(1_000*flash), before.BondsHeld)

	_, err := s.msgs.WithdrawEarnings(s.ctx(), &types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID}})
	require.NoError(t, err)
	fee := s.deal(dealID).FeesPaid
	require.True(t, fee.IsPositive())
	booked := holdings()
	require.Equal(t, fee, booked.PendingPlatformFees, "booked by the withdrawal, not yet swept")

	s.advance(time.Second)
	require.True(t, holdings().PendingPlatformFees.IsZero(), "the sweep paid it out")
}

// SlaRounds lists the rounds still being checked: with one check per
// block, a day's round over a deal and two units spans blocks.
func TestSlaRoundsQuery(t *testing.T) {
	s := newSuite(t, func(p *types.Params) { p.MaxVerdictsPerBlock = 1 })
	unitID := s.market()
	s.createUnit(s.provider)
	s.accept(s.provider, s.requestDeal(dealMsg(s.consumer, unitID)))

	rounds := func() []types.SlaRound {
		res, err := s.queries.SlaRounds(s.ctx(), &types.QuerySlaRoundsRequest{})
		require.NoError(t, err)
		return res.Rounds
	}
	require.Empty(t, rounds())
	s.advance(day)
	r := rounds()
	require.Len(t, r, 1)
	require.Equal(t, 24*time.Hour, r[0].EpochEnd.Sub(r[0].EpochStart))
	require.Equal(t, uint32(0), r[0].Phase, "the deal was checked first")
	s.advance(time.Second)
	s.advance(time.Second)
	r = rounds()
	require.Len(t, r, 1)
	require.Equal(t, uint32(1), r[0].Phase, "then the units, one per block")
	s.advance(time.Second)
	require.Empty(t, rounds(), "the round ends in the block that finds nothing left")
	v, err := s.queries.UnitVerdicts(s.ctx(), &types.QueryUnitVerdictsRequest{UnitId: unitID})
	require.NoError(t, err)
	require.Len(t, v.Verdicts, 1)
	require.Equal(t, r[0].EpochStart, v.Verdicts[0].EpochStart)
	require.Equal(t, r[0].EpochEnd, v.Verdicts[0].EpochEnd)
	require.True(t, v.Verdicts[0].FromDeals)
}

func TestGenesisValidateSlaState(t *testing.T) {
	exported := exportedGenesis(t)
	unitID := exported.DataUnits[0].Id
	pending := types.Sla{MaxLatencyMs: 200}
	since := time.Unix(1_900_000_000, 0).UTC()
	cases := map[string]struct {
		edit    func(*types.GenesisState)
		wantErr string
	}{
		"pending SLA without its time": {func(gs *types.GenesisState) { gs.DataUnits[0].PendingSla = &pending }, "set together"},
		"time without a pending SLA":   {func(gs *types.GenesisState) { gs.DataUnits[0].PendingSlaSince = &since }, "set together"},
		"invalid pending SLA": {func(gs *types.GenesisState) {
			bad := types.Sla{}
			gs.DataUnits[0].PendingSla, gs.DataUnits[0].PendingSlaSince = &bad, &since
		}, "pending_sla"},
		"worst verdict of an unknown unit": {func(gs *types.GenesisState) {
			gs.WorstDealVerdicts = []types.WorstDealVerdict{{UnitId: 99, Epoch: 1, Verdict: types.SLA_VERDICT_MET}}
		}, "unknown data unit 99"},
		"worst verdict listed twice": {func(gs *types.GenesisState) {
			w := types.WorstDealVerdict{UnitId: unitID, Epoch: 1, Verdict: types.SLA_VERDICT_MET}
			gs.WorstDealVerdicts = []types.WorstDealVerdict{w, w}
		}, "listed twice"},
		"worst verdict out of range": {func(gs *types.GenesisState) {
			gs.WorstDealVerdicts = []types.WorstDealVerdict{{UnitId: unitID, Epoch: 1, Verdict: math.MaxInt32}}
		}, "is invalid"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			gs := *exported
			gs.DataUnits = append([]types.DataUnit(nil), exported.DataUnits...)
			tc.edit(&gs)
			require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
			require.ErrorContains(t, gs.Validate(), tc.wantErr)
		})
	}
	gs := *exported
	gs.DataUnits = append([]types.DataUnit(nil), exported.DataUnits...)
	gs.DataUnits[0].PendingSla, gs.DataUnits[0].PendingSlaSince = &pending, &since
	gs.WorstDealVerdicts = []types.WorstDealVerdict{{UnitId: unitID, Epoch: 1, Verdict: types.SLA_VERDICT_CRITICAL}}
	require.NoError(t, gs.Validate())
}
