package keeper_test

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

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// slaGenesis is an exported genesis (a running, a pending and a closed
// deal) with a valid SLA round in progress, a deal verdict and a unit
// verdict added.
func slaGenesis(t *testing.T) *types.GenesisState {
	t.Helper()
	gs := exportedGenesis(t)
	var running types.Deal
	for _, d := range gs.Deals {
		if d.Running() {
			running = d
		}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	gs.DealVerdicts = []types.DealVerdict{{
		DealId: running.Id, UnitId: running.UnitId, Provider: running.Provider, Consumer: running.Consumer, Epoch: 1,
		Verdict: types.SLA_VERDICT_MISSED, EpochPayment: sdkmath.NewInt(1_000), UnitScore: 60,
		Refund: sdkmath.NewInt(400), RefundFromBond: sdkmath.NewInt(100), Time: start.Add(24 * time.Hour),
	}}
	gs.UnitVerdicts = []types.UnitVerdict{{
		UnitId: running.UnitId, Provider: running.Provider, Epoch: 1, Verdict: types.SLA_VERDICT_CRITICAL,
		Slashed: sdkmath.NewInt(10), SlashedToPool: sdkmath.NewInt(5), Time: start.Add(24 * time.Hour), ScoreBefore: 50, ScoreAfter: 48,
	}}
	gs.SlaRounds = []types.SlaRound{{
		Epoch: 2, EpochStart: start.Add(24 * time.Hour), EpochEnd: start.Add(48 * time.Hour),
		Phase: types.SlaPhaseDeals, DealState: int32(types.DEAL_STATE_ACTIVE), Cursor: running.Id,
	}}
	require.NoError(t, gs.Validate())
	return gs
}

// Genesis validation checks every field of the SLA rounds and verdicts
// that the end blocker and disputes rely on: an unknown round phase used to
// pass validation and make EndBlock fail (a chain halt), a verdict of an
// unknown deal used to break its dispute.
func TestGenesisValidateSlaRoundsAndVerdicts(t *testing.T) {
	base := slaGenesis(t)
	for _, tc := range []struct {
		name, want string
		edit       func(gs *types.GenesisState)
	}{
		{"unknown phase", "unknown phase 7", func(gs *types.GenesisState) { gs.SlaRounds[0].Phase = 7 }},
		{"deal cursor past the ids", "not below next_deal_id", func(gs *types.GenesisState) { gs.SlaRounds[0].Cursor = gs.NextDealId }},
		{"unit cursor past the ids", "not below next_unit_id", func(gs *types.GenesisState) {
			gs.SlaRounds[0].Phase, gs.SlaRounds[0].Cursor = types.SlaPhaseUnits, gs.NextUnitId
		}},
		{"deal state not running", "deal_state", func(gs *types.GenesisState) { gs.SlaRounds[0].DealState = int32(types.DEAL_STATE_PENDING) }},
		{"epoch zero", "epoch must be positive", func(gs *types.GenesisState) { gs.SlaRounds[0].Epoch = 0 }},
		{"epoch ends before it starts", "before epoch_end", func(gs *types.GenesisState) {
			gs.SlaRounds[0].EpochEnd = gs.SlaRounds[0].EpochStart.Add(-time.Second)
		}},
		{"no epoch start", "must be set", func(gs *types.GenesisState) { gs.SlaRounds[0].EpochStart = time.Time{} }},
		{"round twice", "listed twice", func(gs *types.GenesisState) { gs.SlaRounds = append(gs.SlaRounds, gs.SlaRounds[0]) }},

		{"deal verdict of an unknown deal", "unknown deal", func(gs *types.GenesisState) { gs.DealVerdicts[0].DealId = 99 }},
		{"deal verdict on another unit", "not the deal's", func(gs *types.GenesisState) { gs.DealVerdicts[0].UnitId++ }},
		{"deal verdict of another consumer", "not the deal's", func(gs *types.GenesisState) { gs.DealVerdicts[0].Consumer = newAddr().String() }},
		{"unknown deal verdict", "unknown verdict 9", func(gs *types.GenesisState) { gs.DealVerdicts[0].Verdict = 9 }},
		{"negative refund", "non-negative", func(gs *types.GenesisState) { gs.DealVerdicts[0].Refund = sdkmath.NewInt(-1) }},
		{"missing payment", "non-negative", func(gs *types.GenesisState) { gs.DealVerdicts[0].EpochPayment = sdkmath.Int{} }},
		{"bond part above the refund", "exceeds the refund", func(gs *types.GenesisState) { gs.DealVerdicts[0].RefundFromBond = sdkmath.NewInt(401) }},
		{"deal verdict score above 100", "unit_score 101", func(gs *types.GenesisState) { gs.DealVerdicts[0].UnitScore = 101 }},
		{"deal verdict epoch zero", "epoch must be positive", func(gs *types.GenesisState) { gs.DealVerdicts[0].Epoch = 0 }},
		{"deal verdict twice", "listed twice", func(gs *types.GenesisState) { gs.DealVerdicts = append(gs.DealVerdicts, gs.DealVerdicts[0]) }},

		{"unit verdict of an unknown unit", "unknown data unit", func(gs *types.GenesisState) { gs.UnitVerdicts[0].UnitId = 99 }},
		{"unit verdict of another provider", "not the unit's", func(gs *types.GenesisState) { gs.UnitVerdicts[0].Provider = newAddr().String() }},
		{"unknown unit verdict", "unknown verdict -1", func(gs *types.GenesisState) { gs.UnitVerdicts[0].Verdict = -1 }},
		{"negative slash", "non-negative", func(gs *types.GenesisState) { gs.UnitVerdicts[0].Slashed = sdkmath.NewInt(-10) }},
		{"pool share above the slash", "exceeds the slash", func(gs *types.GenesisState) { gs.UnitVerdicts[0].SlashedToPool = sdkmath.NewInt(11) }},
		{"score above 100", "must be within [0, 100]", func(gs *types.GenesisState) { gs.UnitVerdicts[0].ScoreAfter = 250 }},
		{"unit verdict twice", "listed twice", func(gs *types.GenesisState) { gs.UnitVerdicts = append(gs.UnitVerdicts, gs.UnitVerdicts[0]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs := cloneGenesis(t, base)
			tc.edit(gs)
			err := gs.Validate()
			require.ErrorIs(t, err, types.ErrInvalidGenesis)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// The phases genesis validation accepts are the keeper's.
func TestSlaPhasesAreTheKeepers(t *testing.T) {
	require.Equal(t, []uint32{types.SlaPhaseDeals, types.SlaPhaseUnits}, keeper.SlaPhases)
}

// A running deal without the times its settlement and due time are
// computed from is refused (the end blocker dereferenced them).
func TestGenesisRejectsRunningDealsWithoutTimes(t *testing.T) {
	base := exportedGenesis(t)
	running := -1
	for i, d := range base.Deals {
		if d.Running() {
			running = i
		}
	}
	require.GreaterOrEqual(t, running, 0)
	for _, tc := range []struct {
		name, want string
		edit       func(d *types.Deal)
	}{
		{"no end time", "must have a start_time, an end_time and a settled_at", func(d *types.Deal) { d.EndTime = nil }},
		{"no start time", "must have a start_time", func(d *types.Deal) { d.StartTime = nil }},
		{"never settled", "settled_at", func(d *types.Deal) { d.SettledAt = nil }},
		{"ends before it starts", "before it ends", func(d *types.Deal) { end := d.StartTime.Add(-time.Hour); d.EndTime = &end }},
		{"settled before it started", "before its start", func(d *types.Deal) { at := d.StartTime.Add(-time.Second); d.SettledAt = &at }},
		{"overdrawn without when", "overdrawn_at", func(d *types.Deal) { d.State = types.DEAL_STATE_OVERDRAWN }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs := cloneGenesis(t, base)
			tc.edit(&gs.Deals[running])
			err := gs.Validate()
			require.ErrorIs(t, err, types.ErrInvalidGenesis)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// Failure records of due items are validated like the rest: they name a
// known kind and an object in a state that can have something due.
func TestGenesisValidateDueFailures(t *testing.T) {
	base := exportedGenesis(t)
	var pending, closed types.Deal
	for _, d := range base.Deals {
		switch d.State {
		case types.DEAL_STATE_PENDING:
			pending = d
		case types.DEAL_STATE_CLOSED:
			closed = d
		}
	}
	at := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	retry := at.Add(time.Minute)
	valid := types.DueFailure{Kind: "deal", Id: pending.Id, Attempts: 1, LastError: "boom", FirstFailedAt: at, LastFailedAt: at, RetryAt: &retry}
	gs := cloneGenesis(t, base)
	gs.DueFailures = []types.DueFailure{valid}
	require.NoError(t, gs.Validate())

	for _, tc := range []struct {
		name, want string
		edit       func(f *types.DueFailure)
	}{
		{"unknown kind", "unknown kind", func(f *types.DueFailure) { f.Kind = "lunch" }},
		{"no attempt", "attempts", func(f *types.DueFailure) { f.Attempts = 0 }},
		{"closed deal", "pending or running deal", func(f *types.DueFailure) { f.Id = closed.Id }},
		{"unknown unit", "unknown data unit", func(f *types.DueFailure) { f.Kind, f.Id = "maintenance_end", 99 }},
		{"retry before the failure", "retry_at", func(f *types.DueFailure) { f.RetryAt = &at }},
		{"unbonding of an active provider", "exiting provider", func(f *types.DueFailure) {
			f.Kind, f.Id, f.Provider = "provider_unbonded", 0, base.Providers[0].Address
		}},
		{"a deal naming a provider", "names its provider", func(f *types.DueFailure) { f.Provider = base.Providers[0].Address }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs := cloneGenesis(t, base)
			f := valid
			tc.edit(&f)
			gs.DueFailures = []types.DueFailure{f}
			err := gs.Validate()
			require.ErrorIs(t, err, types.ErrInvalidGenesis)
			require.ErrorContains(t, err, tc.want)
		})
	}
	gs = cloneGenesis(t, base)
	gs.DueFailures = []types.DueFailure{valid, valid}
	require.ErrorContains(t, gs.Validate(), "listed twice")
}

// Failure records go through export and import, and the retries with
// them: a running deal's retry is its due time; a request whose expiry
// failed runs again in the new chain's first block (the request cursor
// restarts at the oldest pending request). The invariants hold throughout,
// and both items complete on the new chain, which has no fault.
func TestGenesisCarriesDueFailures(t *testing.T) {
	s := newSuite(t, func(p *types.Params) {
		p.DueRetryDelay, p.MaxDueRetries = time.Hour, 3
		p.DealRequestTtl = time.Hour
	})
	unitID := s.market()
	running := s.shortDeal(unitID)
	pending := s.requestDeal(dealMsg(s.consumer, unitID))
	s.injectFaults(types.DueDeal, running, pending)
	s.advance(time.Hour + time.Second)
	failures := s.dueFailures()
	require.Len(t, failures, 2)
	retry := *s.deal(running).DueAt

	s2, before, _ := exportImport(t, s)
	var exported types.GenesisState
	require.NoError(t, app.MakeEncodingConfig().Codec.UnmarshalJSON([]byte(before), &exported))
	require.NoError(t, exported.Validate())
	require.Equal(t, failures, exported.DueFailures)

	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s2.deal(pending).CloseReason, "the request cursor ran it again")
	left := s2.dueFailures()
	require.Len(t, left, 1)
	require.Equal(t, failures[0], left[0], "the running deal's record, unchanged")
	require.Equal(t, retry, *s2.deal(running).DueAt)
	s2.advance(retry.Sub(s2.app.Time))
	require.Equal(t, types.CLOSE_REASON_COMPLETED, s2.deal(running).CloseReason)
	require.Empty(t, s2.dueFailures())
}

// exportImport exports s's chain, starts a new chain from the export and
// returns a suite on it, with the module's exported state before and after.
func exportImport(t *testing.T, s *suite) (*suite, string, string) {
	t.Helper()
	exported, err := s.app.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	second := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()),
		baseapp.SetChainID(apptest.ChainID))
	start := s.app.Time.Add(time.Second)
	_, err = second.InitChain(&abci.RequestInitChain{
		ChainId: apptest.ChainID, Time: start, AppStateBytes: exported.AppState,
		ConsensusParams: simtestutil.DefaultConsensusParams, InitialHeight: exported.Height,
	})
	require.NoError(t, err)
	_, err = second.FinalizeBlock(&abci.RequestFinalizeBlock{Height: exported.Height, Time: start})
	require.NoError(t, err)
	_, err = second.Commit()
	require.NoError(t, err)
	reexported, err := second.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	s2 := &suite{t: t, app: &apptest.TestApp{App: second, ValSet: s.app.ValSet, Height: exported.Height, Time: start, BlockTime: time.Second},
		msgs: keeper.NewMsgServerImpl(second.OrchestratorKeeper), queries: keeper.NewQueryServerImpl(second.OrchestratorKeeper),
		provider: s.provider, provider2: s.provider2, consumer: s.consumer, consumer2: s.consumer2}
	s2.checkInvariants()
	return s2, moduleState(t, exported.AppState), moduleState(t, reexported.AppState)
}

func moduleState(t *testing.T, appState json.RawMessage) string {
	var state map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(appState, &state))
	return string(state[types.ModuleName])
}

func cloneGenesis(t *testing.T, gs *types.GenesisState) *types.GenesisState {
	t.Helper()
	cdc := app.MakeEncodingConfig().Codec
	var out types.GenesisState
	require.NoError(t, cdc.UnmarshalJSON(cdc.MustMarshalJSON(gs), &out))
	return &out
}
