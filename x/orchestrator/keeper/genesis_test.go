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

// TestGenesisExportImport fills the marketplace with objects in every state,
// exports the chain, starts a new chain from the export and checks that the
// module state is identical and keeps working: queues, indexes and stats
// are rebuilt.
func TestGenesisExportImport(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	s.registerProvider(s.provider2)
	s.registerConsumer(s.consumer2)
	maintained := s.createUnit(s.provider, func(m *types.MsgCreateDataUnit) { m.PriorityFee = uflashPtr(30_000) })
	_, err := s.msgs.ScheduleMaintenance(s.ctx(), &types.MsgScheduleMaintenance{
		Provider: s.provider.String(), UnitId: maintained, Start: s.app.Time.Add(time.Hour), End: s.app.Time.Add(2 * time.Hour),
	})
	require.NoError(t, err)
	_, err = s.msgs.CertifyProvider(s.ctx(), &types.MsgCertifyProvider{Authority: s.certifier.String(), Provider: s.provider.String(), Certified: true})
	require.NoError(t, err)

	running := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, running)
	pending := s.requestDeal(dealMsg(s.consumer2, unitID))
	closed := s.requestDeal(dealMsg(s.consumer2, unitID))
	_, err = s.msgs.CancelDealRequest(s.ctx(), &types.MsgCancelDealRequest{Consumer: s.consumer2.String(), DealId: closed})
	require.NoError(t, err)
	_, err = s.msgs.BeginProviderExit(s.ctx(), &types.MsgBeginProviderExit{Owner: s.provider2.String()})
	require.NoError(t, err)
	s.advance(day)
	// SLA state: the day's round kept the running deal's verdict as the
	// unit's worst, and an SLA change waits for the next round.
	newSla := defaultSla()
	newSla.MaxLatencyMs = 250
	s.updateSla(unitID, newSla)
	gs, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(t, err)
	require.NotEmpty(t, gs.WorstDealVerdicts)
	require.Equal(t, unitID, gs.WorstDealVerdicts[0].UnitId)

	exported, err := s.app.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	var appState map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(exported.AppState, &appState))

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
	var reState map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(reexported.AppState, &reState))
	require.JSONEq(t, string(appState[types.ModuleName]), string(reState[types.ModuleName]))

	// The imported chain carries on: invariants hold, the marketplace index
	// and stats were rebuilt, and the due queue completes the running deal.
	s2 := &suite{t: t, app: &apptest.TestApp{App: second, ValSet: s.app.ValSet, Height: exported.Height, Time: start, BlockTime: time.Second},
		msgs: keeper.NewMsgServerImpl(second.OrchestratorKeeper), queries: keeper.NewQueryServerImpl(second.OrchestratorKeeper),
		provider: s.provider, provider2: s.provider2, consumer: s.consumer, consumer2: s.consumer2}
	s2.checkInvariants()
	cursor, err := second.OrchestratorKeeper.RequestCursor.Get(s2.ctx())
	require.NoError(t, err)
	require.Equal(t, pending, cursor, "the request cursor restarts at the oldest pending request")
	market, err := s2.queries.DataUnits(s2.ctx(), &types.QueryDataUnitsRequest{CertifiedOnly: true})
	require.NoError(t, err)
	require.Equal(t, []uint64{maintained, unitID}, unitIDs(market.DataUnits), "ranked by priority fee")

	require.Equal(t, newSla, *s2.unit(unitID).PendingSla)
	s2.advance(30 * day)
	require.Equal(t, newSla, s2.unit(unitID).Sla, "the imported pending SLA came into force")
	require.Equal(t, types.CLOSE_REASON_COMPLETED, s2.deal(running).CloseReason)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s2.deal(pending).CloseReason)
	has, err := second.OrchestratorKeeper.Providers.Has(s2.ctx(), s.provider2)
	require.NoError(t, err)
	require.False(t, has, "the exiting provider's bond came back")
}

func TestGenesisValidateRejectsInconsistentState(t *testing.T) {
	base := func() *types.GenesisState {
		gs := types.DefaultGenesis()
		gs.NextUnitId, gs.NextDealId = 5, 5
		return gs
	}
	gs := base()
	gs.DataUnits = []types.DataUnit{{Id: 9, Provider: newAddr().String()}}
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis, "unit id beyond next_unit_id")

	gs = base()
	gs.DataUnits = []types.DataUnit{{Id: 1, Provider: newAddr().String()}}
	require.ErrorContains(t, gs.Validate(), "unknown provider")

	gs = base()
	gs.Deals = []types.Deal{{Id: 1, UnitId: 3}}
	require.ErrorContains(t, gs.Validate(), "unknown data unit")

	gs = base()
	p := types.Provider{Address: newAddr().String(), Status: types.PROVIDER_STATUS_ACTIVE, Bond: sdkmath.NewInt(1)}
	gs.Providers = []types.Provider{p, p}
	require.ErrorContains(t, gs.Validate(), "listed twice")

	// Due times: a running deal must have one, a pending or closed deal must
	// not (requests expire through the request cursor).
	exported := exportedGenesis(t)
	for i, d := range exported.Deals {
		gs := *exported
		gs.Deals = append([]types.Deal(nil), exported.Deals...)
		if d.DueAt != nil {
			gs.Deals[i].DueAt = nil
			require.ErrorContains(t, gs.Validate(), "has no due time", "deal %d (%s)", d.Id, d.State)
		} else {
			due := time.Unix(1_900_000_000, 0).UTC()
			gs.Deals[i].DueAt = &due
			require.ErrorContains(t, gs.Validate(), "only running deals have one", "deal %d (%s)", d.Id, d.State)
		}
	}

	gs = base()
	gs.PendingPlatformFees = sdkmath.NewInt(-1)
	require.ErrorContains(t, gs.Validate(), "pending platform fees -1 are negative")
}

func TestUpdateParamsMsg(t *testing.T) {
	s := newSuite(t)
	p := s.params()
	p.MaxDuePerBlock = 7
	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgUpdateParams{Authority: s.certifier.String(), Params: p})
	})
	bad := p
	bad.MinDealDuration = bad.MaxDealDuration + time.Hour
	s.requireErrUnchanged(types.ErrInvalidParams, func() error {
		return s.deliver(&types.MsgUpdateParams{Authority: s.gov, Params: bad})
	})
	_, err := s.msgs.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: s.gov, Params: p})
	require.NoError(t, err)
	require.Equal(t, uint32(7), s.params().MaxDuePerBlock)
}

// exportedGenesis returns the module's exported genesis of a chain with a
// running, a pending and a closed deal.
func exportedGenesis(t *testing.T) *types.GenesisState {
	t.Helper()
	s := newSuite(t)
	unitID := s.market()
	s.accept(s.provider, s.requestDeal(dealMsg(s.consumer, unitID)))
	s.requestDeal(dealMsg(s.consumer, unitID))
	closed := s.requestDeal(dealMsg(s.consumer, unitID))
	_, err := s.msgs.CancelDealRequest(s.ctx(), &types.MsgCancelDealRequest{Consumer: s.consumer.String(), DealId: closed})
	require.NoError(t, err)
	gs, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	require.Len(t, gs.Deals, 3)
	return gs
}
