package keeper_test

import (
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// suite drives x/orchestrator in a full in-memory app (real bank,
// distribution and store), calling the msg and query servers directly and
// committing blocks to run the end-block hook. Invariants are checked after
// every block.
type suite struct {
	t   apptest.T
	app *apptest.TestApp

	msgs    types.MsgServer
	queries types.QueryServer

	provider, provider2, consumer, consumer2, certifier, stranger sdk.AccAddress
	gov                                                           string
}

const flash = 1_000_000 // uflash per FLASH

func newAddr() sdk.AccAddress {
	return sdk.AccAddress(secp256k1.GenPrivKey().PubKey().Address())
}

func newSuite(t *testing.T, mutate ...func(*types.Params)) *suite {
	t.Helper()
	return newSuiteWith(t, nil, nil, mutate...)
}

// newSuiteWith is newSuite with app options (test stand-ins, see
// sla_suite_test.go) and a change to the other modules' genesis.
func newSuiteWith(t *testing.T, appOptions map[string]any, genesis func(app.GenesisState), mutate ...func(*types.Params)) *suite {
	t.Helper()
	s := &suite{t: t}
	s.provider, s.provider2, s.consumer, s.consumer2, s.certifier, s.stranger = newAddr(), newAddr(), newAddr(), newAddr(), newAddr(), newAddr()
	accounts := []sdk.AccAddress{s.provider, s.provider2, s.consumer, s.consumer2, s.certifier, s.stranger}
	s.app = apptest.Setup(t, apptest.Options{
		Accounts:   accounts,
		Balance:    sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000*flash)),
		AppOptions: appOptions,
		Mutate: func(g app.GenesisState) {
			if genesis != nil {
				genesis(g)
			}
			gs := types.DefaultGenesis()
			gs.Params.Certifier = s.certifier.String()
			for _, m := range mutate {
				m(&gs.Params)
			}
			g[types.ModuleName] = app.MakeEncodingConfig().Codec.MustMarshalJSON(gs)
		},
	})
	s.msgs = keeper.NewMsgServerImpl(s.app.OrchestratorKeeper)
	s.queries = keeper.NewQueryServerImpl(s.app.OrchestratorKeeper)
	s.gov = authtypes.NewModuleAddress("gov").String()
	s.checkInvariants()
	return s
}

// ctx is a context on the current state at the last block's time; messages
// sent with it take effect immediately.
func (s *suite) ctx() sdk.Context { return s.app.Ctx() }

func (s *suite) params() types.Params {
	p, err := s.app.OrchestratorKeeper.Params.Get(s.ctx())
	require.NoError(s.t, err)
	return p
}

// advance commits blocks so that block time moves forward by d (one block
// when d is at most a day, otherwise one block per day and one for the rest),
// running the end-block hook and the invariants each time.
func (s *suite) advance(d time.Duration) {
	s.t.Helper()
	for d > 0 {
		step := d
		if step > 24*time.Hour {
			step = 24 * time.Hour
		}
		s.app.BlockTime = step
		s.app.NextBlock(s.t)
		s.checkInvariants()
		d -= step
	}
	s.app.BlockTime = time.Second
}

func (s *suite) checkInvariants() {
	s.t.Helper()
	s.app.CheckInvariants(s.t)
}

func (s *suite) balance(addr sdk.AccAddress) sdkmath.Int {
	return s.app.BankKeeper.GetBalance(s.ctx(), addr, app.BondDenom).Amount
}

func (s *suite) supply() sdkmath.Int {
	return s.app.BankKeeper.GetSupply(s.ctx(), app.BondDenom).Amount
}

func (s *suite) communityPool() sdkmath.LegacyDec {
	pool, err := s.app.DistrKeeper.FeePool.Get(s.ctx())
	require.NoError(s.t, err)
	return pool.CommunityPool.AmountOf(app.BondDenom)
}

// pendingPlatformFees are the fees waiting for the end-block sweep.
func (s *suite) pendingPlatformFees() sdkmath.Int {
	fees, err := s.app.OrchestratorKeeper.PendingPlatformFees.Get(s.ctx())
	if errors.Is(err, collections.ErrNotFound) {
		return sdkmath.ZeroInt()
	}
	require.NoError(s.t, err)
	return fees
}

// sweepBlock commits one block and returns what its end-block sweep paid to
// the reward pool and to the community pool.
func (s *suite) sweepBlock() (toRewardPool, toCommunityPool sdk.Coin) {
	s.t.Helper()
	res := s.app.NextBlock(s.t)
	s.checkInvariants()
	for _, e := range typedEvents[*reputationtypes.EventRewardPoolFunded](res.Events) {
		require.Equal(s.t, types.ModuleName, e.From)
		toRewardPool = e.Amount
	}
	for _, e := range typedEvents[*types.EventCommunityPoolFunded](res.Events) {
		require.Equal(s.t, "platform_fee", e.Source)
		toCommunityPool = e.Amount
	}
	return toRewardPool, toCommunityPool
}

// typedEvents returns the typed events of type T among events. Block
// events carry a "mode" attribute (BeginBlock, EndBlock) that is not a field
// of the typed event; it is dropped before parsing.
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

// rewardPool is x/reputation's reward pool, as its books say.
func (s *suite) rewardPool() sdkmath.Int {
	pool, err := s.app.ReputationKeeper.Pool.Get(s.ctx())
	require.NoError(s.t, err)
	return pool
}

func uflash(n int64) sdk.Coin { return sdk.NewInt64Coin(app.BondDenom, n) }

// uflashPtr is uflash for the optional (nullable) coin fields of messages.
func uflashPtr(n int64) *sdk.Coin { c := uflash(n); return &c }

func defaultSla() types.Sla {
	return types.Sla{MaxLatencyMs: 100, MinUploadKbps: 80_000, MinDownloadKbps: 160_000, MinUptimeBps: 9_990, MaxErrorRateBps: 10}
}

func (s *suite) registerProvider(addr sdk.AccAddress) {
	s.t.Helper()
	_, err := s.msgs.RegisterProvider(s.ctx(), &types.MsgRegisterProvider{
		Owner: addr.String(), Name: "Acme Storage", Country: "FR", Website: "https://acme.example", Bond: uflash(1_000 * flash),
	})
	require.NoError(s.t, err)
}

func (s *suite) registerConsumer(addr sdk.AccAddress) {
	s.t.Helper()
	_, err := s.msgs.RegisterConsumer(s.ctx(), &types.MsgRegisterConsumer{Owner: addr.String(), Name: "Bob's app"})
	require.NoError(s.t, err)
}

// unitMsg is a valid CreateDataUnit: 1,000 GB at 0.02 FLASH per GB-month.
func unitMsg(provider sdk.AccAddress) *types.MsgCreateDataUnit {
	return &types.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20_000),
		Region: "eu-west", Country: "FR", Api: types.API_COMPATIBILITY_S3, Endpoint: "https://s3.acme.example/unit",
		Sla: defaultSla(), Features: &types.Features{Versioning: true},
	}
}

func (s *suite) createUnit(provider sdk.AccAddress, edit ...func(*types.MsgCreateDataUnit)) uint64 {
	s.t.Helper()
	msg := unitMsg(provider)
	for _, e := range edit {
		e(msg)
	}
	res, err := s.msgs.CreateDataUnit(s.ctx(), msg)
	require.NoError(s.t, err)
	return res.UnitId
}

// dealMsg requests 100 GB for 30 days with the full term deposited:
// 100 GB × 20,000 uflash = 2,000,000 uflash per month.
func dealMsg(consumer sdk.AccAddress, unitID uint64) *types.MsgRequestDeal {
	return &types.MsgRequestDeal{
		Consumer: consumer.String(), UnitId: unitID, CapacityGb: 100, Term: 30 * 24 * time.Hour,
		Sla: defaultSla(), Deposit: uflash(2_000_000),
	}
}

func (s *suite) requestDeal(msg *types.MsgRequestDeal) uint64 {
	s.t.Helper()
	res, err := s.msgs.RequestDeal(s.ctx(), msg)
	require.NoError(s.t, err)
	return res.DealId
}

func (s *suite) accept(provider sdk.AccAddress, dealID uint64) {
	s.t.Helper()
	_, err := s.msgs.AcceptDeal(s.ctx(), &types.MsgAcceptDeal{Provider: provider.String(), DealId: dealID})
	require.NoError(s.t, err)
}

func (s *suite) deal(id uint64) types.Deal {
	s.t.Helper()
	d, err := s.app.OrchestratorKeeper.Deals.Get(s.ctx(), id)
	require.NoError(s.t, err)
	return d
}

func (s *suite) unit(id uint64) types.DataUnit {
	s.t.Helper()
	u, err := s.app.OrchestratorKeeper.DataUnits.Get(s.ctx(), id)
	require.NoError(s.t, err)
	return u
}

func (s *suite) providerOf(addr sdk.AccAddress) types.Provider {
	s.t.Helper()
	p, err := s.app.OrchestratorKeeper.Providers.Get(s.ctx(), addr)
	require.NoError(s.t, err)
	return p
}

// market sets up a provider with one unit and a registered consumer.
func (s *suite) market() uint64 {
	s.registerProvider(s.provider)
	s.registerConsumer(s.consumer)
	return s.createUnit(s.provider)
}

// requireErrUnchanged checks that f fails with want and changes no balance
// and no stored deal, unit or provider.
func (s *suite) requireErrUnchanged(want error, f func() error) {
	s.t.Helper()
	before := s.snapshot()
	err := f()
	require.ErrorIs(s.t, err, want)
	require.Equal(s.t, before, s.snapshot(), "a failed message changed state")
}

type snapshot struct {
	balances []string
	genesis  string
}

func (s *suite) snapshot() snapshot {
	var snap snapshot
	for _, a := range []sdk.AccAddress{s.provider, s.provider2, s.consumer, s.consumer2, s.app.OrchestratorKeeper.ModuleAddress()} {
		snap.balances = append(snap.balances, s.balance(a).String())
	}
	gs, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(s.t, err)
	snap.genesis = gs.String()
	return snap
}

// deliver runs msg as a transaction runs it: through the app's message
// router, which runs the message's ValidateBasic before its handler (the
// handlers check state only).
func (s *suite) deliver(msg sdk.Msg) error {
	_, err := s.app.MsgServiceRouter().Handler(msg)(s.ctx(), msg)
	return err
}
