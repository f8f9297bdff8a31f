package types_test

import (
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/x/internal/fuzzutil"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

func fuzzAddr(seed string) string {
	return sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte(seed)).PubKey().Address()).String()
}

// validMsgs is one valid message of every type (the corpus seeds).
func validMsgs() []fuzzutil.Msg {
	addr, gov := fuzzAddr("owner"), authtypes.NewModuleAddress("gov").String()
	return []fuzzutil.Msg{
		&types.MsgRateProvider{Consumer: addr, DealId: 1, Stars: 4, Comment: "fast\nand cheap"},
		&types.MsgFileDispute{Provider: addr, Kind: types.DISPUTE_KIND_RATING, DealId: 1, Reason: "unfair"},
		&types.MsgFileDispute{Provider: addr, Kind: types.DISPUTE_KIND_VERDICT, UnitId: 3, Epoch: 7, Reason: "probe outage"},
		&types.MsgResolveDispute{Authority: gov, DisputeId: 1, Upheld: true, Resolution: "confirmed"},
		&types.MsgFundRewardPool{Depositor: addr, Amount: sdk.NewInt64Coin("uflash", 5)},
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

// richGenesis has an entry in every list Validate checks, so that the
// fuzzer starts from each of its branches.
func richGenesis() *types.GenesisState {
	provider, consumer := fuzzAddr("provider"), fuzzAddr("consumer")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	gs := types.DefaultGenesis()
	gs.NextDisputeId = 3
	gs.Pool = sdkmath.NewInt(1_000_000)
	gs.UnitScores = []types.UnitScore{{UnitId: 1, Provider: provider, Score: 80, Verdicts: 3, LastDataAt: at, LastDecayAt: &at, LastEpoch: 2}}
	gs.ProviderScores = []types.ProviderScore{{Provider: provider, Objective: 80, UnitScoreSum: 80, UnitsScored: 1, CommunityScore: 60, Overall: 74, Community: types.NewCommunityAccumulator()}}
	gs.Ratings = []types.Rating{{DealId: 1, Provider: provider, Consumer: consumer, Stars: 4, Comment: "ok", Time: at, Weight: sdkmath.LegacyOneDec(), Paid: sdkmath.NewInt(10)}}
	gs.Disputes = []types.Dispute{
		{Id: 1, Provider: provider, Kind: types.DISPUTE_KIND_RATING, DealId: 1, Reason: "unfair", Status: types.DISPUTE_STATUS_OPEN, FiledAt: at},
		{Id: 2, Provider: provider, Kind: types.DISPUTE_KIND_VERDICT, UnitId: 1, Epoch: 2, Reason: "outage", Status: types.DISPUTE_STATUS_UPHELD, FiledAt: at, ResolvedAt: &at, ResolvedBy: authtypes.NewModuleAddress("gov").String()},
	}
	gs.PendingRewards = []types.PendingReward{{Provider: provider, Amount: sdkmath.NewInt(5)}}
	return gs
}

func FuzzGenesisValidate(f *testing.F) {
	fuzzutil.GenesisValidate(f, app.MakeEncodingConfig().Codec, types.DefaultGenesis(), richGenesis())
}
