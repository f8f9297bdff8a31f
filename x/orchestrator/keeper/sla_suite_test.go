package keeper_test

import (
	"context"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/flashbacknetwork/flashbackd/app"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// slaSuite runs SLA rounds — verdicts, refunds, slashes, terminations —
// in a full in-memory app (real bank, epochs and store, blocks committed
// through FinalizeBlock, invariants after every block) with two small
// fakes where x/orchestrator meets the other modules: the oracle's agreed
// QoS, which the test sets per unit, and x/reputation's hooks, which score
// verdicts by a fixed rule. SLA epochs last an hour and epoch() commits
// one block an hour later, so every such block ends one epoch; no
// inflation, so the supply changes only by the burns a test expects.
type slaSuite struct {
	*suite
	qos *qosFake
	rep *reputationFake
}

const (
	// slaDealGB is what a deal asks for: 72 GB × 20,000 uflash per
	// GB-month = 1,440,000 per 30 days = slaEpochPayment per hour exactly
	// (so refunds are exact integers too).
	slaDealGB       = 72
	slaEpochPayment = 2_000
)

// qosFake is the agreed QoS per unit (no entry: no quorum, UNKNOWN).
type qosFake struct {
	units map[uint64]oracletypes.QoSSummary
}

func (f *qosFake) UnitSummary(_ context.Context, unitID uint64, from, to time.Time) (oracletypes.QoSSummary, error) {
	q := f.units[unitID]
	q.From, q.To = from, to
	return q, nil
}

// reputationFake stands in for x/reputation's hooks. It scores a verdict
// with x/reputation's default deltas (EXCEEDED +2, MET +1, MISSED −1,
// CRITICAL −2; UNKNOWN none — these tests span hours, far from any decay)
// within [0, 100], starting at baseline; it counts the blocks that reported
// the SLA rounds settled. The reward pool (slash shares) and the other
// hooks pass through to x/reputation, so that balances and its invariants
// hold.
type reputationFake struct {
	types.ReputationHooks
	baseline uint32
	scores   map[uint64]uint32
	settled  map[int64]bool // block heights
}

func (f *reputationFake) AfterUnitVerdict(_ context.Context, v types.UnitVerdict) (before, after uint32, err error) {
	before, ok := f.scores[v.UnitId]
	if !ok {
		before = f.baseline
	}
	delta := map[types.SlaVerdict]int64{
		types.SLA_VERDICT_EXCEEDED: 2, types.SLA_VERDICT_MET: 1, types.SLA_VERDICT_MISSED: -1, types.SLA_VERDICT_CRITICAL: -2,
	}[v.Verdict]
	after = uint32(min(max(int64(before)+delta, 0), 100))
	f.scores[v.UnitId] = after
	return before, after, nil
}

func (f *reputationFake) BaselineScore(context.Context) (uint32, error) { return f.baseline, nil }

func (f *reputationFake) AfterSlaRoundsSettled(ctx context.Context) error {
	f.settled[sdk.UnwrapSDKContext(ctx).BlockHeight()] = true
	return f.ReputationHooks.AfterSlaRoundsSettled(ctx)
}

// QoS presets. Each gives the same verdict against defaultSla (a deal's or
// an offered SLA) and against the default reference_sla: qosMet meets both
// without exceeding either (upload under 120 % of 80,000 kbps), qosExceeded
// beats both by 20 %; qosCritical is 90 % uptime, under the critical
// 95.83 % (1 h down in 24 h).
var (
	qosMet      = oracletypes.QoSSummary{Records: 30, LatencyMs: 45, UploadKbps: 85_000, DownloadKbps: 170_000, UptimeBps: 9_996, ErrorRateBps: 1}
	qosExceeded = oracletypes.QoSSummary{Records: 30, LatencyMs: 30, UploadKbps: 120_000, DownloadKbps: 250_000, UptimeBps: 10_000, ErrorRateBps: 0}
	qosMissed   = oracletypes.QoSSummary{Records: 30, LatencyMs: 150, UploadKbps: 85_000, DownloadKbps: 170_000, UptimeBps: 9_992, ErrorRateBps: 9}
	qosCritical = oracletypes.QoSSummary{Records: 30, LatencyMs: 90, UploadKbps: 85_000, DownloadKbps: 170_000, UptimeBps: 9_000, ErrorRateBps: 9}
	qosUnknown  = oracletypes.QoSSummary{}
)

// newSlaSuite builds the suite; baseline is the fake's baseline score (50
// in x/reputation's defaults).
func newSlaSuite(t *testing.T, baseline uint32, mutate ...func(*types.Params)) *slaSuite {
	t.Helper()
	qos := &qosFake{units: map[uint64]oracletypes.QoSSummary{}}
	rep := &reputationFake{baseline: baseline, scores: map[uint64]uint32{}, settled: map[int64]bool{}}
	opts := map[string]any{
		app.OracleReaderOption: qos,
		app.ReputationHooksOption: func(real types.ReputationHooks) types.ReputationHooks {
			rep.ReputationHooks = real
			return rep
		},
	}
	noInflation := func(g app.GenesisState) {
		cdc := app.MakeEncodingConfig().Codec
		var mg minttypes.GenesisState
		cdc.MustUnmarshalJSON(g[minttypes.ModuleName], &mg)
		mg.Minter.Inflation = sdkmath.LegacyZeroDec()
		mg.Params.InflationMin, mg.Params.InflationMax = sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec()
		g[minttypes.ModuleName] = cdc.MustMarshalJSON(&mg)
	}
	hourEpochs := func(p *types.Params) { p.SlaEpochIdentifier = "hour" }
	return &slaSuite{suite: newSuiteWith(t, opts, noInflation, append([]func(*types.Params){hourEpochs}, mutate...)...), qos: qos, rep: rep}
}

// block commits one block d after the last, then checks every invariant.
func (s *slaSuite) block(d time.Duration) abci.ResponseFinalizeBlock {
	s.t.Helper()
	s.app.BlockTime = d
	res := s.app.NextBlock(s.t)
	s.checkInvariants()
	return *res
}

// epoch ends the current hour epoch: one block an hour later, in which the
// SLA round runs to completion (well under the per-block cap). It returns
// the number of the epoch that ended.
func (s *slaSuite) epoch() int64 {
	s.t.Helper()
	epoch, _ := s.epochWithEvents()
	return epoch
}

// epochWithEvents is epoch, also returning the block's events.
func (s *slaSuite) epochWithEvents() (int64, []abci.Event) {
	s.t.Helper()
	before, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), "hour")
	require.NoError(s.t, err)
	res := s.block(time.Hour)
	after, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), "hour")
	require.NoError(s.t, err)
	require.Equal(s.t, before.CurrentEpoch+1, after.CurrentEpoch, "one epoch per hour block")
	pending, err := s.app.OrchestratorKeeper.SlaRoundPending(s.ctx())
	require.NoError(s.t, err)
	require.False(s.t, pending, "the SLA round finished within the block")
	return before.CurrentEpoch, res.Events
}

// epochs ends n epochs with the unit's QoS set to q for all of them.
func (s *slaSuite) epochs(n int, unitID uint64, q oracletypes.QoSSummary) {
	s.t.Helper()
	s.qos.units[unitID] = q
	for range n {
		s.epoch()
	}
}

// settleRounds commits minute blocks until no SLA round is pending.
func (s *slaSuite) settleRounds() {
	s.t.Helper()
	for range 100 {
		pending, err := s.app.OrchestratorKeeper.SlaRoundPending(s.ctx())
		require.NoError(s.t, err)
		if !pending {
			return
		}
		s.block(time.Minute)
	}
	require.FailNow(s.t, "the SLA rounds did not finish")
}

// createUnitWithSla offers 1,000 GB at 20,000 uflash per GB-month under sla.
func (s *slaSuite) createUnitWithSla(provider sdk.AccAddress, sla types.Sla) uint64 {
	s.t.Helper()
	return s.createUnit(provider, func(m *types.MsgCreateDataUnit) { m.Sla = sla })
}

// openDealWithSla requests slaDealGB on a unit for 30 days under sla, fully
// deposited, and has the provider accept it.
func (s *slaSuite) openDealWithSla(consumer sdk.AccAddress, unitID uint64, sla types.Sla) uint64 {
	s.t.Helper()
	id := s.requestDeal(&types.MsgRequestDeal{
		Consumer: consumer.String(), UnitId: unitID, CapacityGb: slaDealGB, Term: 30 * 24 * time.Hour,
		Sla: sla, Deposit: uflash(1_440_000),
	})
	s.accept(sdk.MustAccAddressFromBech32(s.unit(unitID).Provider), id)
	return id
}

func (s *slaSuite) openDeal(consumer sdk.AccAddress, unitID uint64) uint64 {
	return s.openDealWithSla(consumer, unitID, defaultSla())
}

// updateUnitSla sends UpdateDataUnit with a new SLA and the unit's other
// terms unchanged, and returns the message's events.
func (s *slaSuite) updateUnitSla(unitID uint64, sla types.Sla) []abci.Event {
	s.t.Helper()
	u := s.unit(unitID)
	ctx := s.ctx()
	_, err := s.msgs.UpdateDataUnit(ctx, &types.MsgUpdateDataUnit{
		Provider: u.Provider, UnitId: unitID, CapacityGb: u.CapacityGb, PricePerGbMonth: u.PricePerGbMonth,
		Endpoint: u.Endpoint, Sla: sla, Features: &u.Features,
	})
	require.NoError(s.t, err)
	return ctx.EventManager().ABCIEvents()
}

// slaMarket registers a provider with one unit, a consumer with a running
// deal on it, and aligns the deal to the epochs: the epoch in which the
// deal starts is ended, so every following epoch is fully paid.
func (s *slaSuite) slaMarket() (unitID, dealID uint64) {
	s.t.Helper()
	unitID = s.market()
	dealID = s.openDeal(s.consumer, unitID)
	s.epochs(1, unitID, qosUnknown)
	return unitID, dealID
}

// unitScore is the unit's score, as the fake scored it and as the unit
// records it (the marketplace ranks by it, refunds are sized by it).
func (s *slaSuite) unitScore(id uint64) uint32 {
	s.t.Helper()
	score, ok := s.rep.scores[id]
	if !ok {
		score = s.rep.baseline
	}
	require.Equal(s.t, score, s.unit(id).Reputation, "the unit records the score x/reputation returned")
	return score
}

func (s *slaSuite) bondOf(addr sdk.AccAddress) sdkmath.Int {
	s.t.Helper()
	return s.providerOf(addr).Bond
}

func (s *slaSuite) unitVerdict(unitID uint64, epoch int64) types.UnitVerdict {
	s.t.Helper()
	v, err := s.app.OrchestratorKeeper.UnitVerdict(s.ctx(), unitID, epoch)
	require.NoError(s.t, err)
	return v
}

func (s *slaSuite) dealVerdict(dealID uint64, epoch int64) types.DealVerdict {
	s.t.Helper()
	v, err := s.app.OrchestratorKeeper.DealVerdicts.Get(s.ctx(), collections.Join(dealID, epoch))
	require.NoError(s.t, err)
	return v
}
