package types_test

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/x/internal/fuzzutil"
	orchsim "github.com/flashbacknetwork/flashbackd/x/orchestrator/simulation"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// validMsgs is one valid message of every type (the corpus seeds).
func validMsgs() []fuzzutil.Msg {
	owner, other := testAddr("owner"), testAddr("other")
	gov := authtypes.NewModuleAddress("gov").String()
	coin := sdk.NewInt64Coin("uflash", 1_000_000)
	sla := types.DefaultParams().ReferenceSla
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	priority := sdk.NewInt64Coin("uflash", 10_000)
	key := orchsim.RandomAccessKey(rand.New(rand.NewSource(1)))
	return []fuzzutil.Msg{
		&types.MsgRegisterProvider{Owner: owner, Name: "p", Website: "https://p.example", Country: "FR", Bond: coin},
		&types.MsgUpdateProvider{Owner: owner, Name: "p", Description: "d"},
		&types.MsgAddProviderBond{Owner: owner, Amount: coin},
		&types.MsgBeginProviderExit{Owner: owner},
		&types.MsgCertifyProvider{Authority: gov, Provider: other, Certified: true},
		&types.MsgRegisterConsumer{Owner: owner},
		&types.MsgUpdateConsumer{Owner: owner, Name: "c"},
		&types.MsgVerifyConsumer{Authority: gov, Consumer: other, Verified: true},
		&types.MsgSetAccessKey{Owner: owner, PublicKey: key},
		&types.MsgCreateDataUnit{Provider: owner, CapacityGb: 10, PricePerGbMonth: sdkmath.NewInt(1000), Region: "eu-west", Country: "FR", Api: types.API_COMPATIBILITY_S3, Endpoint: "https://s3.example.com/u", Sla: sla, PriorityFee: &priority},
		&types.MsgUpdateDataUnit{Provider: owner, UnitId: 1, CapacityGb: 10, PricePerGbMonth: sdkmath.NewInt(1000), Endpoint: "https://s3.example.com/u", Sla: sla},
		&types.MsgScheduleMaintenance{Provider: owner, UnitId: 1, Start: start, End: start.Add(time.Hour)},
		&types.MsgDecommissionDataUnit{Provider: owner, UnitId: 1},
		&types.MsgRequestDeal{Consumer: owner, UnitId: 1, CapacityGb: 1, Term: time.Hour, Sla: sla, Deposit: coin},
		&types.MsgAcceptDeal{Provider: owner, DealId: 1},
		&types.MsgDeclineDeal{Provider: owner, DealId: 1, Reason: "full"},
		&types.MsgCancelDealRequest{Consumer: owner, DealId: 1},
		&types.MsgTopUpDeal{Consumer: owner, DealId: 1, Amount: coin},
		&types.MsgWithdrawEarnings{Provider: owner, DealIds: []uint64{1, 2}},
		&types.MsgCloseDeal{Sender: owner, DealId: 1},
		&types.MsgSubmitUsageReceipt{Provider: owner, DealId: 1, BytesServed: 1 << 30, Sequence: 1, ConsumerSignature: make([]byte, 64)},
		&types.MsgUpdateParams{Authority: gov, Params: types.DefaultParams()},
	}
}

// TestFuzzFixturesCoverEveryMsg keeps the fuzz corpus complete: a new
// message needs a fixture.
func TestFuzzFixturesCoverEveryMsg(t *testing.T) {
	fuzzutil.RequireFixtures(t, types.Msg_serviceDesc, validMsgs(), nil)
}

func FuzzMsgValidateBasic(f *testing.F) {
	fuzzutil.ValidateBasic(f, app.MakeEncodingConfig().Codec, validMsgs())
}

// richGenesis is the simulation's random genesis: providers with bonds,
// units, consumers, access keys and random params.
func richGenesis(f *testing.F) *types.GenesisState {
	cdc := app.MakeEncodingConfig().Codec
	r := rand.New(rand.NewSource(7))
	state := &module.SimulationState{
		Cdc: cdc, Rand: r, Accounts: simtypes.RandomAccounts(r, 40), BondDenom: "uflash",
		GenTimestamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		GenState: map[string]json.RawMessage{
			epochstypes.ModuleName: cdc.MustMarshalJSON(epochstypes.DefaultGenesis()),
			banktypes.ModuleName:   cdc.MustMarshalJSON(banktypes.DefaultGenesisState()),
		},
	}
	orchsim.RandomizedGenState(state)
	var gs types.GenesisState
	cdc.MustUnmarshalJSON(state.GenState[types.ModuleName], &gs)
	if len(gs.Providers) == 0 || bytes.Equal(gs.Providers[0].Bond.BigInt().Bytes(), nil) {
		f.Fatal("the random genesis has no provider")
	}
	return &gs
}

func FuzzGenesisValidate(f *testing.F) {
	fuzzutil.GenesisValidate(f, app.MakeEncodingConfig().Codec, types.DefaultGenesis(), richGenesis(f))
}
