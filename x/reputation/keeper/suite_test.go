package keeper_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchkeeper "github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// suite drives SLA enforcement and x/reputation in a full in-memory app:
// real bank, epochs, orchestrator and reputation keepers, blocks committed
// through FinalizeBlock. The only fake is the oracle's agreed QoS, which the
// test sets per unit (the e2e test gets it from real validators). Epochs
// (SLA and rewards) last an hour and each block advances an hour, so every
// block ends one epoch. Every module invariant is checked after every block.
type suite struct {
	t   *testing.T
	app *apptest.TestApp
	qos *fakeOracle

	orch    orchtypes.MsgServer
	msgs    types.MsgServer
	queries types.QueryServer

	provider, provider2, provider3, consumer, consumer2, arbiter, stranger sdk.AccAddress
	gov                                                                    string
}

const (
	flash = 1_000_000 // uflash per FLASH
	// bond is every provider's bond: 1,000 FLASH.
	bond = 1_000 * flash
	// epochPayment is what a deal of dealGB pays per full one-hour epoch:
	// 72 GB × 20,000 uflash per GB-month = 1,440,000 per 30 days = 2,000
	// per hour exactly (so refunds are exact integers too).
	dealGB       = 72
	epochPayment = 2_000
)

// fakeOracle is the agreed QoS per unit (no entry: no quorum, UNKNOWN).
type fakeOracle struct {
	units map[uint64]oracletypes.QoSSummary
}

func (f *fakeOracle) UnitSummary(_ context.Context, unitID uint64, from, to time.Time) (oracletypes.QoSSummary, error) {
	s := f.units[unitID]
	s.From, s.To = from, to
	return s, nil
}

// QoS presets. Each gives the same verdict against defaultSla (a deal's or
// an offered SLA) and against the default reference_sla (the docs' SLA,
// what a unit without a deal verdict is graded against): qosMet meets both
// without exceeding either (upload under 120 % of 80,000 kbps), qosExceeded
// beats both by 20 %.
var (
	qosMet      = oracletypes.QoSSummary{Records: 30, LatencyMs: 45, UploadKbps: 85_000, DownloadKbps: 170_000, UptimeBps: 9_996, ErrorRateBps: 1}
	qosExceeded = oracletypes.QoSSummary{Records: 30, LatencyMs: 30, UploadKbps: 120_000, DownloadKbps: 250_000, UptimeBps: 10_000, ErrorRateBps: 0}
	qosMissed   = oracletypes.QoSSummary{Records: 30, LatencyMs: 150, UploadKbps: 85_000, DownloadKbps: 170_000, UptimeBps: 9_992, ErrorRateBps: 9}
	// qosCritical: 90 % uptime, under the critical 95.83 % (1 h down in 24 h).
	qosCritical = oracletypes.QoSSummary{Records: 30, LatencyMs: 90, UploadKbps: 85_000, DownloadKbps: 170_000, UptimeBps: 9_000, ErrorRateBps: 9}
	qosUnknown  = oracletypes.QoSSummary{}
)

func newAddr() sdk.AccAddress { return sdk.AccAddress(secp256k1.GenPrivKey().PubKey().Address()) }

type options struct {
	reputation   func(*types.Params)
	orchestrator func(*orchtypes.Params)
}

// flatRatingWeights gives every rating a payment weight of 1: a deal that
// has paid its provider at least 1 uflash may be rated, and counts like any
// other. For tests of the other rating rules (eligibility, recency, verified
// consumers, disputes, genesis), whose numbers are worked by hand with
// weights 1 and 1.5; ratings_payment_test.go tests the payment weights.
var flatRatingWeights = options{reputation: func(p *types.Params) {
	p.MinRatingPayment, p.RatingPaymentCap = sdkmath.OneInt(), sdkmath.OneInt()
}}

func newSuite(t *testing.T, opts ...options) *suite {
	t.Helper()
	s := &suite{t: t, qos: &fakeOracle{units: map[uint64]oracletypes.QoSSummary{}}}
	s.provider, s.provider2, s.provider3 = newAddr(), newAddr(), newAddr()
	s.consumer, s.consumer2, s.arbiter, s.stranger = newAddr(), newAddr(), newAddr(), newAddr()
	cdc := app.MakeEncodingConfig().Codec
	s.app = apptest.Setup(t, apptest.Options{
		Accounts: []sdk.AccAddress{s.provider, s.provider2, s.provider3, s.consumer, s.consumer2, s.arbiter, s.stranger},
		Balance:  sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000*flash)),
		// SLA rounds read the QoS the test sets instead of x/oracle's.
		AppOptions: map[string]any{app.OracleReaderOption: s.qos},
		Mutate: func(g app.GenesisState) {
			og := orchtypes.DefaultGenesis()
			og.Params.SlaEpochIdentifier = "hour"
			og.Params.Certifier = s.arbiter.String()
			rg := types.DefaultGenesis()
			rg.Params.RewardEpochIdentifier = "hour"
			rg.Params.Arbiter = s.arbiter.String()
			for _, o := range opts {
				if o.orchestrator != nil {
					o.orchestrator(&og.Params)
				}
				if o.reputation != nil {
					o.reputation(&rg.Params)
				}
			}
			// No inflation: supply changes only by burns the test expects.
			var mg minttypes.GenesisState
			cdc.MustUnmarshalJSON(g[minttypes.ModuleName], &mg)
			mg.Minter.Inflation = sdkmath.LegacyZeroDec()
			mg.Params.InflationMin, mg.Params.InflationMax = sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec()
			g[minttypes.ModuleName] = cdc.MustMarshalJSON(&mg)
			g[orchtypes.ModuleName] = cdc.MustMarshalJSON(og)
			g[types.ModuleName] = cdc.MustMarshalJSON(rg)
		},
	})
	s.orch = orchkeeper.NewMsgServerImpl(s.app.OrchestratorKeeper)
	s.msgs = keeper.NewMsgServerImpl(s.app.ReputationKeeper)
	s.queries = keeper.NewQueryServerImpl(s.app.ReputationKeeper)
	s.gov = authtypes.NewModuleAddress("gov").String()
	s.app.CheckInvariants(t)
	return s
}

func (s *suite) ctx() sdk.Context { return s.app.Ctx() }

func (s *suite) params() types.Params {
	p, err := s.app.ReputationKeeper.Params.Get(s.ctx())
	require.NoError(s.t, err)
	return p
}

// block commits one block d after the last, then checks every invariant.
func (s *suite) block(d time.Duration) {
	s.t.Helper()
	s.app.BlockTime = d
	s.app.NextBlock(s.t)
	s.app.CheckInvariants(s.t)
}

// epoch ends the current hour epoch: one block an hour later, in which the
// SLA round and the reward round both run to completion (well under the
// per-block caps). It returns the number of the epoch that ended.
func (s *suite) epoch() int64 {
	s.t.Helper()
	before, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), "hour")
	require.NoError(s.t, err)
	s.block(time.Hour)
	after, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), "hour")
	require.NoError(s.t, err)
	require.Equal(s.t, before.CurrentEpoch+1, after.CurrentEpoch, "one epoch per hour block")
	pending, err := s.app.OrchestratorKeeper.SlaRoundPending(s.ctx())
	require.NoError(s.t, err)
	require.False(s.t, pending, "the SLA round finished within the block")
	return before.CurrentEpoch
}

// epochs ends n epochs with the unit's QoS set to q for all of them.
func (s *suite) epochs(n int, unitID uint64, q oracletypes.QoSSummary) {
	s.t.Helper()
	s.qos.units[unitID] = q
	for range n {
		s.epoch()
	}
}

func uflash(n int64) sdk.Coin { return sdk.NewInt64Coin(app.BondDenom, n) }

func defaultSla() orchtypes.Sla {
	return orchtypes.Sla{MaxLatencyMs: 100, MinUploadKbps: 80_000, MinDownloadKbps: 160_000, MinUptimeBps: 9_990, MaxErrorRateBps: 10}
}

func (s *suite) registerProvider(addr sdk.AccAddress) {
	s.t.Helper()
	_, err := s.orch.RegisterProvider(s.ctx(), &orchtypes.MsgRegisterProvider{
		Owner: addr.String(), Name: "Acme Storage", Country: "FR", Bond: uflash(bond),
	})
	require.NoError(s.t, err)
}

func (s *suite) registerConsumer(addr sdk.AccAddress) {
	s.t.Helper()
	_, err := s.orch.RegisterConsumer(s.ctx(), &orchtypes.MsgRegisterConsumer{Owner: addr.String(), Name: "Bob's app"})
	require.NoError(s.t, err)
}

// createUnit offers 1,000 GB at 20,000 uflash per GB-month with defaultSla.
func (s *suite) createUnit(provider sdk.AccAddress) uint64 {
	s.t.Helper()
	res, err := s.orch.CreateDataUnit(s.ctx(), &orchtypes.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20_000),
		Region: "eu-west", Country: "FR", Api: orchtypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.acme.example/unit",
		Sla: defaultSla(),
	})
	require.NoError(s.t, err)
	return res.UnitId
}

// openDeal requests dealGB on a unit for 30 days, fully deposited, and has
// the provider accept it.
func (s *suite) openDeal(consumer sdk.AccAddress, unitID uint64) uint64 {
	s.t.Helper()
	id := s.requestDeal(consumer, unitID)
	_, err := s.orch.AcceptDeal(s.ctx(), &orchtypes.MsgAcceptDeal{Provider: s.unit(unitID).Provider, DealId: id})
	require.NoError(s.t, err)
	return id
}

func (s *suite) requestDeal(consumer sdk.AccAddress, unitID uint64) uint64 {
	s.t.Helper()
	res, err := s.orch.RequestDeal(s.ctx(), &orchtypes.MsgRequestDeal{
		Consumer: consumer.String(), UnitId: unitID, CapacityGb: dealGB, Term: 30 * 24 * time.Hour,
		Sla: defaultSla(), Deposit: uflash(1_440_000),
	})
	require.NoError(s.t, err)
	return res.DealId
}

// market registers a provider with one unit, a consumer with a running deal
// on it, and aligns the deal to the epochs: the epoch in which the deal
// starts is ended, so every following epoch is fully paid.
func (s *suite) market() (unitID, dealID uint64) {
	s.t.Helper()
	s.registerProvider(s.provider)
	s.registerConsumer(s.consumer)
	unitID = s.createUnit(s.provider)
	dealID = s.openDeal(s.consumer, unitID)
	s.epochs(1, unitID, qosUnknown)
	return unitID, dealID
}

func (s *suite) unit(id uint64) orchtypes.DataUnit {
	s.t.Helper()
	u, err := s.app.OrchestratorKeeper.DataUnits.Get(s.ctx(), id)
	require.NoError(s.t, err)
	return u
}

func (s *suite) deal(id uint64) orchtypes.Deal {
	s.t.Helper()
	d, err := s.app.OrchestratorKeeper.Deals.Get(s.ctx(), id)
	require.NoError(s.t, err)
	return d
}

func (s *suite) bondOf(addr sdk.AccAddress) sdkmath.Int {
	s.t.Helper()
	p, err := s.app.OrchestratorKeeper.Providers.Get(s.ctx(), addr)
	require.NoError(s.t, err)
	return p.Bond
}

func (s *suite) balance(addr sdk.AccAddress) sdkmath.Int {
	return s.app.BankKeeper.GetBalance(s.ctx(), addr, app.BondDenom).Amount
}

func (s *suite) supply() sdkmath.Int {
	return s.app.BankKeeper.GetSupply(s.ctx(), app.BondDenom).Amount
}

func (s *suite) pool() sdkmath.Int {
	s.t.Helper()
	p, err := s.app.ReputationKeeper.Pool.Get(s.ctx())
	require.NoError(s.t, err)
	return p
}

func (s *suite) unitScore(id uint64) uint32 {
	s.t.Helper()
	res, err := s.queries.UnitScore(s.ctx(), &types.QueryUnitScoreRequest{UnitId: id})
	require.NoError(s.t, err)
	require.Equal(s.t, res.Score.Score, s.unit(id).Reputation, "the marketplace ranks by the same score")
	return res.Score.Score
}

func (s *suite) providerScore(addr sdk.AccAddress) *types.QueryProviderScoreResponse {
	s.t.Helper()
	res, err := s.queries.ProviderScore(s.ctx(), &types.QueryProviderScoreRequest{Provider: addr.String()})
	require.NoError(s.t, err)
	return res
}

func (s *suite) unitVerdict(unitID uint64, epoch int64) orchtypes.UnitVerdict {
	s.t.Helper()
	v, err := s.app.OrchestratorKeeper.UnitVerdict(s.ctx(), unitID, epoch)
	require.NoError(s.t, err)
	return v
}

func (s *suite) dealVerdict(dealID uint64, epoch int64) orchtypes.DealVerdict {
	s.t.Helper()
	v, err := s.app.OrchestratorKeeper.DealVerdicts.Get(s.ctx(), joinVerdict(dealID, epoch))
	require.NoError(s.t, err)
	return v
}

// requireErrUnchanged checks that f fails with want and changes nothing:
// neither x/reputation's state nor x/orchestrator's, nor any balance.
func (s *suite) requireErrUnchanged(want error, f func() error) {
	s.t.Helper()
	before := s.snapshot()
	err := f()
	require.ErrorIs(s.t, err, want)
	require.Equal(s.t, before, s.snapshot(), "a failed message changed state")
}

type snapshot struct{ balances, reputation, orchestrator string }

func (s *suite) snapshot() snapshot {
	var snap snapshot
	for _, a := range []sdk.AccAddress{s.provider, s.provider2, s.consumer, s.consumer2, s.app.ReputationKeeper.ModuleAddress(), s.app.OrchestratorKeeper.ModuleAddress()} {
		snap.balances += s.balance(a).String() + ","
	}
	rg, err := s.app.ReputationKeeper.ExportGenesis(s.ctx())
	require.NoError(s.t, err)
	og, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(s.t, err)
	snap.reputation, snap.orchestrator = rg.String(), og.String()
	return snap
}

type oracleSummary = oracletypes.QoSSummary

func joinVerdict(id uint64, epoch int64) collections.Pair[uint64, int64] {
	return collections.Join(id, epoch)
}

// unitOf returns a provider's first unit.
func (s *suite) unitOf(provider sdk.AccAddress) uint64 {
	s.t.Helper()
	res, err := s.app.OrchestratorKeeper.DataUnits.Iterate(s.ctx(), nil)
	require.NoError(s.t, err)
	defer res.Close()
	for ; res.Valid(); res.Next() {
		u, err := res.Value()
		require.NoError(s.t, err)
		if u.Provider == provider.String() {
			return u.Id
		}
	}
	s.t.Fatalf("%s has no unit", provider)
	return 0
}

func mustAddr(s string) sdk.AccAddress { return sdk.MustAccAddressFromBech32(s) }

func sdkCoin(denom string, n int64) sdk.Coin { return sdk.NewInt64Coin(denom, n) }

// deliver runs msg as a transaction runs it: through the app's message
// router, which runs the message's ValidateBasic before its handler (the
// handlers check state only).
func (s *suite) deliver(msg sdk.Msg) error {
	_, err := s.app.MsgServiceRouter().Handler(msg)(s.ctx(), msg)
	return err
}
