package keeper_test

import (
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	orchkeeper "github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func (s *suite) orchParams() orchtypes.Params {
	s.t.Helper()
	p, err := s.app.OrchestratorKeeper.Params.Get(s.ctx())
	require.NoError(s.t, err)
	return p
}

func (s *suite) orchQueries() orchtypes.QueryServer {
	return orchkeeper.NewQueryServerImpl(s.app.OrchestratorKeeper)
}

// queryUnit reads a unit through the DataUnit query.
func (s *suite) queryUnit(id uint64) orchtypes.DataUnit {
	s.t.Helper()
	res, err := s.orchQueries().DataUnit(s.ctx(), &orchtypes.QueryDataUnitRequest{Id: id})
	require.NoError(s.t, err)
	return res.DataUnit
}

// updateUnitSla sends UpdateDataUnit with a new SLA and the unit's other
// terms unchanged, and returns the message's events.
func (s *suite) updateUnitSla(unitID uint64, sla orchtypes.Sla) []abci.Event {
	s.t.Helper()
	u := s.unit(unitID)
	ctx := s.ctx()
	_, err := s.orch.UpdateDataUnit(ctx, &orchtypes.MsgUpdateDataUnit{
		Provider: u.Provider, UnitId: unitID, CapacityGb: u.CapacityGb, PricePerGbMonth: u.PricePerGbMonth,
		Endpoint: u.Endpoint, Sla: sla, Features: &u.Features,
	})
	require.NoError(s.t, err)
	return ctx.EventManager().ABCIEvents()
}

// createUnitWithSla is createUnit offering sla.
func (s *suite) createUnitWithSla(provider sdk.AccAddress, sla orchtypes.Sla) uint64 {
	s.t.Helper()
	res, err := s.orch.CreateDataUnit(s.ctx(), &orchtypes.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20_000),
		Region: "eu-west", Country: "FR", Api: orchtypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.acme.example/unit",
		Sla: sla,
	})
	require.NoError(s.t, err)
	return res.UnitId
}

// openDealWithSla is openDeal with the consumer requiring sla.
func (s *suite) openDealWithSla(consumer sdk.AccAddress, unitID uint64, sla orchtypes.Sla) uint64 {
	s.t.Helper()
	res, err := s.orch.RequestDeal(s.ctx(), &orchtypes.MsgRequestDeal{
		Consumer: consumer.String(), UnitId: unitID, CapacityGb: dealGB, Term: 30 * 24 * time.Hour,
		Sla: sla, Deposit: uflash(1_440_000),
	})
	require.NoError(s.t, err)
	_, err = s.orch.AcceptDeal(s.ctx(), &orchtypes.MsgAcceptDeal{Provider: s.unit(unitID).Provider, DealId: res.DealId})
	require.NoError(s.t, err)
	return res.DealId
}

// epochWithEvents is epoch, also returning the block's events.
func (s *suite) epochWithEvents() (int64, []abci.Event) {
	s.t.Helper()
	before, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), "hour")
	require.NoError(s.t, err)
	s.app.BlockTime = time.Hour
	res := s.app.NextBlock(s.t)
	s.app.CheckInvariants(s.t)
	pending, err := s.app.OrchestratorKeeper.SlaRoundPending(s.ctx())
	require.NoError(s.t, err)
	require.False(s.t, pending, "the SLA round finished within the block")
	return before.CurrentEpoch, res.Events
}

// settleRounds commits minute blocks until no SLA round is pending.
func (s *suite) settleRounds() {
	s.t.Helper()
	for range 100 {
		pending, err := s.app.OrchestratorKeeper.SlaRoundPending(s.ctx())
		require.NoError(s.t, err)
		if !pending {
			return
		}
		s.block(time.Minute)
	}
	s.t.Fatal("the SLA rounds did not finish")
}

func joinEpochUnit(epoch int64, unitID uint64) collections.Pair[int64, uint64] {
	return collections.Join(epoch, unitID)
}

// typedEvents returns the typed events of type T among events (block
// events' "mode" attribute dropped first: it is no field of the event).
func typedEvents[T proto.Message](events []abci.Event) []T {
	var out []T
	for _, ev := range events {
		attrs := make([]abci.EventAttribute, 0, len(ev.Attributes))
		for _, a := range ev.Attributes {
			if a.Key != "mode" {
				attrs = append(attrs, a)
			}
		}
		ev.Attributes = attrs
		if msg, err := sdk.ParseTypedEvent(ev); err == nil {
			if e, ok := msg.(T); ok {
				out = append(out, e)
			}
		}
	}
	return out
}
